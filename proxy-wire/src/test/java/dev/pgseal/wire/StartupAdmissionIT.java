package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.session.ProxySession;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * The startup phase through a real PostgreSQL: the startup-parameter allowlist refuses before
 * anything reaches PostgreSQL, client-chosen values cannot forge log lines, and the admission hook
 * decides (possibly later, from another thread) whether a session is served.
 */
class StartupAdmissionIT {
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy();
        db = proxy.pg.createDatabase("wire_startup");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A StartupMessage (protocol 3.0) with the given name/value pairs. */
    static byte[] startupPacket(String... kv) {
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        for (String s : kv) {
            params.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            params.write(0);
        }
        params.write(0);
        byte[] p = params.toByteArray();
        return ByteBuffer.allocate(8 + p.length).putInt(8 + p.length).putInt(196608).put(p).array();
    }

    private static RawClient.Message refusal(ProxyServer server, String... kv) throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            client.send(startupPacket(kv));
            List<RawClient.Message> answer = client.readToEnd();
            assertThat(answer).singleElement().extracting(RawClient.Message::type).isEqualTo('E');
            assertThat(answer.get(0).field('S')).isEqualTo("FATAL");
            return answer.get(0);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "replication|database|0A000|pgseal does not relay replication connections (startup parameter \"replication\")",
            "replication|true|0A000|pgseal does not relay replication connections (startup parameter \"replication\")",
            "allow_system_table_mods|on|08P01|startup parameter \"allow_system_table_mods\" is not allowed by pgseal",
            "client_encoding|SJIS|0A000|startup parameter \"client_encoding\": pgseal cannot read statements in encoding \"SJIS\"",
            "options|-c search_path=pgseal|0A000|setting in startup parameter \"options\" \"search_path\" may not name schema \"pgseal\"",
            "options|-c standard_conforming_strings=off|0A000|setting in startup parameter \"options\" \"standard_conforming_strings\" must be on"})
    void aRefusedStartupParameterGetsAFatalNamingItAndNoSessionOpens(String name, String value, String sqlState,
                                                                     String message) throws Exception {
        RawClient.Message error = refusal(proxy.server, "user", proxy.pg.user(), "database", db, name, value);
        assertThat(error.field('C')).isEqualTo(sqlState);
        assertThat(error.field('M')).startsWith(message);
        assertThat(proxy.server.activeSessions()).isZero();
    }

    @Test
    void pgjdbcWithPgOptionsReachingSchemaPgsealIsRefusedWith0A000() {
        assertThatThrownBy(() -> proxy.connect(db, "&options=-c%20search_path%3Dpgseal").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("\"search_path\" may not name schema \"pgseal\"")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
    }

    @Test
    void allowedSettingsInOptionsReachPostgres() throws Exception {
        try (Connection c = proxy.connect(db, "&options=-c%20statement_timeout%3D4321%20--lock-timeout%3D1234&ApplicationName=edge");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_setting('statement_timeout'), current_setting('lock_timeout')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("4321ms");
            assertThat(rs.getString(2)).isEqualTo("1234ms");
        }
    }

    @Test
    void aLineBreakInApplicationNameCannotForgeALogLine() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ProxySession.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        String forged = "app\n2026-01-01T00:00:00.000Z INFO  [pgseal-io-1] d.p.w.s.ProxySession - forged\u001b[0m";
        try (RawClient client = new RawClient(proxy.server.port())) {
            client.send(startupPacket("user", proxy.pg.user(), "database", db, "application_name", forged));
            assertThat(client.readUntilReady()).last().extracting(RawClient.Message::type).isEqualTo('Z');
            client.send(new byte[] {'X', 0, 0, 0, 4});
            client.readToEnd();
        } finally {
            logger.detachAppender(appender);
        }
        List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("application_name=app")).toList();
        assertThat(lines).as("session open and session closed").hasSizeGreaterThanOrEqualTo(1);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line).doesNotContain("\n", "\r", "\u001b");
            assertThat(line).contains("application_name=app\\n2026-01-01T00:00:00.000Z INFO  [pgseal-io-1] d.p.w.s.ProxySession - forged\\x1b[0m");
        });
    }

    @Test
    void aRefusingAdmissionHookEndsTheSessionWithItsSqlStateBeforePostgresIsAsked() throws Exception {
        SessionHooks refusing = new SessionHooks() {
            @Override
            public CompletableFuture<Optional<SessionRefusal>> admit(SessionInfo session) {
                return CompletableFuture.completedFuture(Optional.of(
                        new SessionRefusal("3D000", "database \"" + session.database() + "\" is not served by pgseal")));
            }

            @Override
            public StatementInterceptor openSession(SessionInfo session) {
                throw new AssertionError("a refused session must not open");
            }
        };
        try (RunningProxy strict = new RunningProxy(ServerConfig.Limits.DEFAULT, refusing)) {
            assertThatThrownBy(() -> strict.connect(db, "").close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("database \"" + db + "\" is not served by pgseal")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("3D000"));
            // The session is released right after its error is written: wait for it, with a deadline.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (strict.server.activeSessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(strict.server.activeSessions()).isZero();
        }
    }

    @Test
    void anAdmissionDecidedLaterOnAnotherThreadLetsTheSessionRun() throws Exception {
        ScheduledExecutorService elsewhere = Executors.newSingleThreadScheduledExecutor();
        SessionHooks slow = new SessionHooks() {
            @Override
            public CompletableFuture<Optional<SessionRefusal>> admit(SessionInfo session) {
                CompletableFuture<Optional<SessionRefusal>> verdict = new CompletableFuture<>();
                elsewhere.schedule(() -> verdict.complete(Optional.empty()), 300, TimeUnit.MILLISECONDS);
                return verdict;
            }

            @Override
            public StatementInterceptor openSession(SessionInfo session) {
                return StatementInterceptor.NONE;
            }
        };
        try (RunningProxy later = new RunningProxy(ServerConfig.Limits.DEFAULT, slow);
             Connection c = DriverManager.getConnection(later.jdbcUrl(db, ""));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 41 + 1")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        } finally {
            elsewhere.shutdownNow();
        }
    }

    @Test
    void aFailingAdmissionHookEndsTheSessionWithXX000() throws Exception {
        SessionHooks broken = new SessionHooks() {
            @Override
            public CompletableFuture<Optional<SessionRefusal>> admit(SessionInfo session) {
                return CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("catalog unreachable");
                });
            }

            @Override
            public StatementInterceptor openSession(SessionInfo session) {
                return StatementInterceptor.NONE;
            }
        };
        try (RunningProxy failing = new RunningProxy(ServerConfig.Limits.DEFAULT, broken)) {
            RawClient.Message error = refusal(failing.server, "user", failing.pg.user(), "database", db);
            assertThat(error.field('C')).isEqualTo("XX000");
            assertThat(error.field('M')).isEqualTo("pgseal internal error");
        }
    }
}
