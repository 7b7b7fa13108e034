package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** pgjdbc through the proxy: the basic shapes of traffic pass and the session stays coherent. */
class ProxyJdbcSmokeIT {
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() throws SQLException {
        proxy = new RunningProxy();
        db = proxy.pg.createDatabase("wire_smoke");
        try (Connection c = proxy.pg.connect(db); Statement s = c.createStatement()) {
            s.execute("create table t (id int primary key, name text)");
        }
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @ParameterizedTest(name = "prepareThreshold={0}")
    @ValueSource(ints = {0, 1, 5})
    void preparedStatementsReturnTheRowsPostgresReturns(int threshold) throws SQLException {
        try (Connection c = proxy.connect(db, "&prepareThreshold=" + threshold);
             PreparedStatement ps = c.prepareStatement("select ?::int + 1, ?::text || 'x'")) {
            for (int i = 0; i < 10; i++) {
                ps.setInt(1, i);
                ps.setString(2, "v" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    assertThat(rs.getString(2)).isEqualTo("v" + i + "x");
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @Test
    void anErrorLeavesTheSessionUsable() throws SQLException {
        try (Connection c = proxy.connect(db, "&prepareThreshold=1"); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("select 1/0"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22012"));
            try (ResultSet rs = s.executeQuery("select 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void batchedInsertsAreAllCounted() throws SQLException {
        try (Connection c = proxy.connect(db, "&prepareThreshold=1")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into t values (?, ?)")) {
                for (int i = 0; i < 1000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "n" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertThat(counts).hasSize(1000).containsOnly(1);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1000);
            }
            c.rollback();
        }
    }

    @Test
    void aLargeResultStreamsWithAFetchSize() throws SQLException {
        try (Connection c = proxy.connect(db, "")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                long sum = 0;
                int rows = 0;
                try (ResultSet rs = s.executeQuery("select g from generate_series(1, 200000) g")) {
                    while (rs.next()) {
                        sum += rs.getLong(1);
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(200000);
                assertThat(sum).isEqualTo(200000L * 200001L / 2);
            }
            c.commit();
        }
    }

    @Test
    void aNotificationNamesTheSendersBackendPidAsTheClientKnowsIt() throws Exception {
        try (Connection listener = proxy.connect(db, ""); Connection sender = proxy.connect(db, "");
             Statement ls = listener.createStatement(); Statement ss = sender.createStatement()) {
            ls.execute("listen wire_ch");
            ss.execute("notify wire_ch, 'hello'");
            org.postgresql.PGConnection pgListener = listener.unwrap(org.postgresql.PGConnection.class);
            List<org.postgresql.PGNotification> got = new ArrayList<>();
            Await.until("the notification to reach the listener", Duration.ofSeconds(10), () -> {
                org.postgresql.PGNotification[] batch = pgListener.getNotifications(100);
                if (batch != null) {
                    got.addAll(List.of(batch));
                }
                return !got.isEmpty();
            });
            assertThat(got).singleElement().satisfies(n -> {
                assertThat(n.getName()).isEqualTo("wire_ch");
                assertThat(n.getParameter()).isEqualTo("hello");
                try {
                    assertThat(n.getPID()).isEqualTo(sender.unwrap(org.postgresql.PGConnection.class).getBackendPID());
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void cancelStopsARunningQuery() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = proxy.connect(db, ""); Statement s = c.createStatement()) {
            Future<?> running = pool.submit(() -> s.executeQuery("select pg_sleep(30)"));
            List<Throwable> failure = new ArrayList<>();
            // Cancel until the query has started and failed with 57014 (query_canceled).
            Await.repeatUntil("the cancelled query to end", Duration.ofSeconds(20), s::cancel, running::isDone);
            try {
                running.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failure.add(e.getCause());
            }
            assertThat(failure).singleElement()
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            try (ResultSet rs = s.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
