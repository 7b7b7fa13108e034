package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from the client, terminated at pgseal with its own certificate, while the connection from
 * pgseal to PostgreSQL stays plain (the fixture's PostgreSQL has no TLS at all).
 */
class ClientTlsIT extends PgsealTestBase {

    @TempDir
    static Path folder;

    private SelfSignedCertificate certificate;

    @Override
    protected ServerConfig configure(ServerConfig plain) throws Exception {
        certificate = SelfSignedCertificate.generate(Files.createDirectories(folder.resolve("tls")));
        return plain.withTls(tls(ServerConfig.ClientTlsMode.PREFER));
    }

    private ServerConfig.Tls tls(ServerConfig.ClientTlsMode mode) {
        return new ServerConfig.Tls(mode, Optional.of(certificate.certificate()), Optional.of(certificate.privateKey()));
    }

    @BeforeEach
    void onlyMeaningfulThroughPgseal() {
        // PostgreSQL itself runs without TLS here, so these cases have no direct counterpart.
        assumeTrue(PgsealUnderTest.proxyEnabled(), "TLS is terminated by pgseal; validation runs go direct");
    }

    @Test
    void sslmodeRequireConnectsOverTlsWhileTheBackendConnectionIsPlain() throws SQLException {
        try (Connection c = connectThrough("sslmode", "require"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("backend connection uses TLS").isFalse();
        }
    }

    @Test
    void verifyFullAcceptsTheConfiguredCertificate() throws SQLException {
        try (Connection c = connectThrough("sslmode", "verify-full", "sslrootcert", certificate.certificate().toString());
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 'verified'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("verified");
        }
    }

    @Test
    void psqlReportsATlsConnection() throws Exception {
        ClientProcess.Result conninfo = psql(through, "require");
        assertThat(conninfo.exitCode()).as(conninfo.toString()).isZero();
        assertThat(conninfo.stdout()).contains("SSL connection (protocol: TLSv1.");
    }

    @Test
    void plainClientIsAcceptedWhenTlsIsPreferred() throws Exception {
        try (Connection c = connectThrough("sslmode", "disable"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select 'plain'")) {
            assertThat(rs.next()).isTrue();
        }
        ClientProcess.Result conninfo = psql(through, "disable");
        assertThat(conninfo.exitCode()).as(conninfo.toString()).isZero();
        assertThat(conninfo.stdout()).contains("You are connected").doesNotContain("SSL connection");
    }

    @Test
    void plainClientIsRefusedWhenTlsIsRequired() throws Exception {
        PostgresFixture server = PostgresFixture.get();
        try (PgsealUnderTest strict = PgsealUnderTest.start(
                PgsealUnderTest.plainConfig(server.host(), server.port()).withTls(tls(ServerConfig.ClientTlsMode.REQUIRE)))) {
            Target target = strict.target();
            SQLException refused = catchThrowableOfType(SQLException.class,
                    () -> target.connect(database.name(), server.user(), server.password(), "sslmode", "disable").close());
            assertThat((Throwable) refused).as("plain connection to a TLS-only pgseal").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("28000");

            ClientProcess.Result psqlRefused = psql(target, "disable");
            assertThat(psqlRefused.exitCode()).isEqualTo(2);

            try (Connection c = target.connect(database.name(), server.user(), server.password(), "sslmode", "require");
                    Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 'tls only'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("tls only");
            }
            assertThat(strict.awaitNoSessions(Duration.ofSeconds(10))).isZero();
        }
    }

    private ClientProcess.Result psql(Target target, String sslmode) throws Exception {
        PostgresFixture server = PostgresFixture.get();
        List<String> command = new ArrayList<>(List.of("psql", "-X", "-c", "\\conninfo"));
        command.addAll(target.libpqArguments(database.name(), server.user()));
        Path dir = Files.createDirectories(folder.resolve("psql-" + sslmode));
        return ClientProcess.run(dir, Duration.ofSeconds(30), Map.of("PGSSLMODE", sslmode), command);
    }
}
