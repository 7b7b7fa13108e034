package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the client side (terminated by pgseal) and the upstream TLS refusal path. */
class ProxyTlsIT {
    @TempDir
    static Path dir;
    static Path cert;
    static Path key;
    static final PostgresFixture pg = PostgresFixture.get();

    @BeforeAll
    static void makeCertificate() throws Exception {
        cert = dir.resolve("server.crt");
        key = dir.resolve("server.key");
        ExternalCommand.run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", cert.toString());
    }

    private static ServerConfig config(ServerConfig.ClientTlsMode mode, ServerConfig.UpstreamTls upstreamTls) {
        return ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                        new ServerConfig.Upstream(pg.host(), pg.port(), upstreamTls))
                .withTls(new ServerConfig.Tls(mode, Optional.of(cert), Optional.of(key)));
    }

    private static String url(ProxyServer server, String params) {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + pg.database() + "?user=" + pg.user()
                + (pg.password() == null ? "" : "&password=" + pg.password()) + params;
    }

    @Test
    void aClientCanUseTlsTerminatedByPgseal() throws Exception {
        List<Boolean> tls = new CopyOnWriteArrayList<>();
        try (ProxyServer server = ProxyServer.start(config(ServerConfig.ClientTlsMode.PREFER, ServerConfig.UpstreamTls.DISABLE),
                session -> {
                    tls.add(session.clientTls());
                    return StatementInterceptor.NONE;
                })) {
            try (Connection c = DriverManager.getConnection(url(server, "&sslmode=require"));
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 7")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
            try (Connection c = DriverManager.getConnection(url(server, "&sslmode=disable"))) {
                assertThat(c.isValid(5)).as("prefer also accepts plain clients").isTrue();
            }
        }
        assertThat(tls).containsExactly(true, false);
    }

    @Test
    void withTlsRequiredAPlainClientIsRefusedWith28000() {
        try (ProxyServer server = ProxyServer.start(config(ServerConfig.ClientTlsMode.REQUIRE, ServerConfig.UpstreamTls.DISABLE))) {
            assertThatThrownBy(() -> DriverManager.getConnection(url(server, "&sslmode=disable")).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("pgseal requires TLS")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        }
    }

    @Test
    void unreadableTlsFilesStopTheStartWithTheFileName() {
        ServerConfig bad = config(ServerConfig.ClientTlsMode.PREFER, ServerConfig.UpstreamTls.DISABLE)
                .withTls(new ServerConfig.Tls(ServerConfig.ClientTlsMode.PREFER, Optional.of(dir.resolve("missing.crt")), Optional.of(key)));
        assertThatThrownBy(() -> ProxyServer.start(bad).close())
                .isInstanceOf(ProxyStartException.class)
                .hasMessageContaining("missing.crt");
    }

    @Test
    void aPostgresWithoutTlsFailsTheClientClearlyWhenUpstreamTlsIsRequired() throws Exception {
        try (Connection direct = pg.connect(); Statement s = direct.createStatement();
             ResultSet rs = s.executeQuery("show ssl")) {
            rs.next();
            org.junit.jupiter.api.Assumptions.assumeTrue(rs.getString(1).equals("off"), "test PostgreSQL has TLS on");
        }
        try (ProxyServer server = ProxyServer.start(config(ServerConfig.ClientTlsMode.DISABLE, ServerConfig.UpstreamTls.REQUIRE))) {
            assertThatThrownBy(() -> DriverManager.getConnection(url(server, "")).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("refused TLS (upstream.tls is require)")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
        }
    }

    /** Sends SSLRequest on a raw socket and, after 'S', handshakes offering only {@code suite} over {@code protocol}. */
    private static javax.net.ssl.SSLSession handshake(ProxyServer server, String protocol, String suite) throws Exception {
        java.net.Socket plain = new java.net.Socket("127.0.0.1", server.port());
        plain.setSoTimeout(30_000);
        plain.getOutputStream().write(new byte[] {0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f});
        assertThat(plain.getInputStream().read()).isEqualTo('S');
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory()
                .createSocket(plain, "localhost", server.port(), true)) {
            tls.setEnabledProtocols(new String[] {protocol});
            tls.setEnabledCipherSuites(new String[] {suite});
            tls.startHandshake();
            return tls.getSession();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLSv1.2, TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"})
    void aClientOfferingOnlyACbcOrNonEcdheSuiteFailsTheHandshake(String protocol, String suite) {
        try (ProxyServer server = ProxyServer.start(config(ServerConfig.ClientTlsMode.PREFER, ServerConfig.UpstreamTls.DISABLE))) {
            assertThatThrownBy(() -> handshake(server, protocol, suite)).isInstanceOf(java.io.IOException.class);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLSv1.3, TLS_AES_256_GCM_SHA384",
            "TLSv1.3, TLS_CHACHA20_POLY1305_SHA256"})
    void aClientOfferingAForwardSecretAeadSuiteIsServed(String protocol, String suite) throws Exception {
        try (ProxyServer server = ProxyServer.start(config(ServerConfig.ClientTlsMode.PREFER, ServerConfig.UpstreamTls.DISABLE))) {
            javax.net.ssl.SSLSession session = handshake(server, protocol, suite);
            assertThat(session.getProtocol()).isEqualTo(protocol);
            assertThat(session.getCipherSuite()).isEqualTo(suite);
        }
    }

    @Test
    void aTakenPortStopsTheStartWithTheAddress() {
        try (ProxyServer first = ProxyServer.start(config(ServerConfig.ClientTlsMode.DISABLE, ServerConfig.UpstreamTls.DISABLE))) {
            ServerConfig same = ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", first.port()),
                    new ServerConfig.Upstream(pg.host(), pg.port(), ServerConfig.UpstreamTls.DISABLE));
            assertThatThrownBy(() -> ProxyServer.start(same).close())
                    .isInstanceOf(ProxyStartException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + first.port());
        }
        assertThat(Files.exists(cert)).isTrue();
    }
}
