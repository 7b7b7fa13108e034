package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upstream.tls: verify-full} with {@code upstream.ca}: a PostgreSQL whose certificate a
 * private CA (made here) signed for {@code localhost} is trusted, and the host name is still
 * checked, so the same server reached as {@code 127.0.0.1} is refused.
 */
class UpstreamPrivateCaIT {
    @TempDir
    static Path dir;
    private static PasswordPostgres pg;
    private static Path ca;

    @BeforeAll
    static void start() throws Exception {
        Path bin = PasswordPostgres.findBinaries();
        Assumptions.assumeTrue(bin != null, "no local PostgreSQL binaries");
        pg = PasswordPostgres.start(bin);
        ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pgseal test CA",
                "-keyout", caKey.toString(), "-out", ca.toString());
        Path csr = dir.resolve("server.csr");
        Path key = dir.resolve("server.key");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key.toString(),
                "-out", csr.toString());
        Path ext = Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:localhost\n");
        Path cert = dir.resolve("server.crt");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        // Overwrite the throwaway cluster's self-signed pair in place (keeps owner and mode), then reload.
        Files.write(pg.dir.resolve("server.crt"), Files.readAllBytes(cert));
        Files.write(pg.dir.resolve("server.key"), Files.readAllBytes(key));
        pg.psql("select pg_reload_conf()");
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static void openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        ExternalCommand.run(dir, command);
    }

    private static ProxyServer proxyTo(String host) {
        return ProxyServer.start(ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream(host, pg.port, ServerConfig.UpstreamTls.VERIFY_FULL, Optional.of(ca))));
    }

    private static String url(ProxyServer proxy) {
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?user=scram_user&password="
                + PasswordPostgres.PASSWORD + "&sslmode=disable";
    }

    @Test
    void aServerCertificateFromThePrivateCaForTheRightHostIsTrusted() throws Exception {
        try (ProxyServer proxy = proxyTo("localhost");
             Connection c = DriverManager.getConnection(url(proxy));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select ssl, version from pg_stat_ssl where pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
            assertThat(rs.getString(2)).isIn("TLSv1.2", "TLSv1.3");
        }
    }

    @Test
    void theHostNameIsStillCheckedAgainstTheCertificate() {
        try (ProxyServer proxy = proxyTo("127.0.0.1")) {
            assertThatThrownBy(() -> DriverManager.getConnection(url(proxy)).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("TLS handshake with PostgreSQL")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
        }
    }

    @Test
    void anUnreadableCaFileStopsTheStartNamingIt() {
        Path missing = dir.resolve("missing-ca.pem");
        assertThatThrownBy(() -> ProxyServer.start(ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream("localhost", pg.port, ServerConfig.UpstreamTls.VERIFY_FULL, Optional.of(missing)))).close())
                .isInstanceOf(ProxyStartException.class)
                .hasMessageContaining("missing-ca.pem");
    }
}
