package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Authentication relayed untouched through the proxy to a PostgreSQL with TLS and passwords, over
 * upstream TLS: SCRAM (without channel binding, which PostgreSQL offers over TLS and pgseal must
 * hide), md5 and cleartext; wrong passwords fail as PostgreSQL says.
 */
class ProxyAuthenticationIT {
    private static PasswordPostgres pg;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        Path bin = PasswordPostgres.findBinaries();
        Assumptions.assumeTrue(bin != null, "no local PostgreSQL binaries to run a password-protected cluster");
        pg = PasswordPostgres.start(bin);
        proxy = ProxyServer.start(ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream("127.0.0.1", pg.port, ServerConfig.UpstreamTls.REQUIRE)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static String url(String user, String password, String extra) {
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?user=" + user + "&password=" + password
                + "&sslmode=disable" + extra;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scram_user", "md5_user", "clear_user"})
    void eachPasswordMethodWorksThroughThePgsealAndUpstreamTls(String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(user, PasswordPostgres.PASSWORD, "&channelBinding=prefer"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(user);
            assertThat(rs.getBoolean(2)).as("pgseal reaches PostgreSQL over TLS").isTrue();
        }
    }

    @Test
    void channelBindingRequiredFailsClearlyBecausePgsealOffersNoPlusMechanism() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("scram_user", PasswordPostgres.PASSWORD, "&channelBinding=require")).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("hannel");
    }

    @Test
    void cancelReachesPostgresOverUpstreamTls() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection c = DriverManager.getConnection(url("scram_user", PasswordPostgres.PASSWORD, ""));
             Statement s = c.createStatement()) {
            java.util.concurrent.Future<?> running = pool.submit(() -> s.executeQuery("select pg_sleep(30)"));
            Await.repeatUntil("the cancelled query to end", java.time.Duration.ofSeconds(20), s::cancel, running::isDone);
            assertThatThrownBy(running::get).hasCauseInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("57014"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWrongPasswordFailsWithPostgresError() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("scram_user", "wrong", "")).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void verifyFullRefusesAnUntrustedServerCertificateWithAClearMessage() {
        try (ProxyServer strict = ProxyServer.start(ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream("127.0.0.1", pg.port, ServerConfig.UpstreamTls.VERIFY_FULL)))) {
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + strict.port()
                    + "/postgres?user=scram_user&password=" + PasswordPostgres.PASSWORD).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("TLS handshake with PostgreSQL")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
        }
    }
}
