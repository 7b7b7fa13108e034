package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.testing.PostgresFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgseal started as users start it: {@code java -jar pgseal.jar serve --config FILE} in its own
 * process (the jar the launcher runs), then psql through it, then SIGTERM.
 */
@Timeout(120)
class ServeCommandIT {

    private static final Path JAR = Path.of("../proxy-wire/target/pgseal.jar");

    @TempDir
    Path dir;

    @Test
    void servesPsqlFromAConfigFileAndStopsCleanlyOnSigterm() throws Exception {
        assertThat(JAR).as("built by the reactor before this module").exists();
        PostgresFixture pg = PostgresFixture.get();
        int port = freePort();
        Path config = Files.writeString(dir.resolve("pgseal.yaml"), """
                listen: {host: 127.0.0.1, port: %d}
                upstream: {host: %s, port: %d, tls: disable}
                limits: {max_client_connections: 50}
                """.formatted(port, pg.host(), pg.port()));
        Path log = dir.resolve("pgseal.log");
        Process pgseal = new ProcessBuilder("java", "-jar", JAR.toAbsolutePath().toString(), "serve", "--config",
                config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("pgseal: listening on 127.0.0.1:" + port)) {
                assertThat(pgseal.isAlive()).as("pgseal is running; output: %s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("pgseal listens within 60 s").isLessThan(deadline);
                Thread.sleep(100);
            }

            ClientProcess.Result psql = ClientProcess.run(dir, Duration.ofSeconds(60), java.util.Map.of(), List.of(
                    "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                    "postgresql://" + pg.user() + "@127.0.0.1:" + port + "/" + pg.database(),
                    "-c", "select 6 * 7; select current_setting('application_name')"));
            assertThat(psql.exitCode()).as(psql.toString()).isZero();
            assertThat(psql.stdout()).contains("42").contains("psql");

            try (Connection c = DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + port + "/" + pg.database() + "?user=" + pg.user()
                            + (pg.password() == null ? "" : "&password=" + pg.password()));
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                assertThat(rs.next()).isTrue();
            }
        } finally {
            pgseal.destroy();
        }
        assertThat(pgseal.waitFor(30, TimeUnit.SECONDS)).as("pgseal stops on SIGTERM").isTrue();
        String output = Files.readString(log);
        assertThat(output).as("one log line per session, never a statement")
                .contains("session open").contains("application_name=psql").doesNotContain("6 * 7");
        assertThat(output).contains("pgseal stopped");
    }

    @Test
    void anInvalidConfigExitsWithOneAndNamesTheLine() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "upstream:\n  hots: 127.0.0.1\n");
        ClientProcess.Result r = ClientProcess.run(dir, Duration.ofSeconds(60), java.util.Map.of(),
                List.of("java", "-jar", JAR.toAbsolutePath().toString(), "serve", "--config", config.toString()));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("bad.yaml:2:3: unknown key 'hots' (did you mean 'host'?)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
