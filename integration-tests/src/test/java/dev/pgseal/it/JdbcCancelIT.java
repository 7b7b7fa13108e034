package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code Statement.cancel()} through pgseal: pgjdbc opens a new connection with a CancelRequest
 * carrying the key data it was given at startup; pgseal must route it to the right backend.
 */
class JdbcCancelIT extends PgsealTestBase {

    private static final String SLEEP = "select pg_sleep(30)";

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void cancelStopsOnlyTheTargetedSleepWithUserRequestAndTheConnectionStaysUsable(ProtocolMode mode) throws Exception {
        try (Connection victim = connectThrough(mode.options());
                Connection bystander = connectThrough(mode.options());
                Connection observer = connect(direct);
                Statement victimStatement = victim.createStatement();
                Statement bystanderStatement = bystander.createStatement()) {
            int victimPid = backendPid(victim);
            int bystanderPid = backendPid(bystander);
            CompletableFuture<Void> bystanderSleep = CompletableFuture.runAsync(() -> {
                try {
                    bystanderStatement.execute(SLEEP);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    awaitSleeping(observer, victimPid);
                    awaitSleeping(observer, bystanderPid);
                    victimStatement.cancel();
                } catch (SQLException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            long start = System.nanoTime();
            SQLException cancelled = catchThrowableOfType(SQLException.class, () -> victimStatement.execute(SLEEP));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            canceller.get(10, TimeUnit.SECONDS);

            assertThat((Throwable) cancelled).as("the cancelled sleep").isNotNull();
            assertThat(cancelled.getSQLState()).isEqualTo("57014");
            assertThat(cancelled.getMessage()).contains("canceling statement due to user request");
            assertThat(took).as("a cancelled 30 s sleep").isLessThan(Duration.ofSeconds(20));
            try (ResultSet rs = victimStatement.executeQuery("select 'usable'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("usable");
            }
            // the cancel reached only its own backend
            assertThat(bystanderSleep).isNotDone();
            assertThat(stateOf(observer, bystanderPid)).isEqualTo("active");
            bystanderStatement.cancel();
            ExecutionException bystanderEnd = catchThrowableOfType(ExecutionException.class,
                    () -> bystanderSleep.get(20, TimeUnit.SECONDS));
            assertThat(((SQLException) bystanderEnd.getCause().getCause()).getSQLState()).isEqualTo("57014");
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Polls pg_stat_activity until the backend runs the sleep, so the cancel cannot arrive before it. */
    private static void awaitSleeping(Connection observer, int pid) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Statement s = observer.createStatement();
                    ResultSet rs = s.executeQuery("select 1 from pg_stat_activity where pid = " + pid
                            + " and state = 'active' and query = '" + SLEEP + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(new TimeoutException("backend " + pid + " never started sleeping"));
    }

    private static String stateOf(Connection observer, int pid) throws SQLException {
        try (Statement s = observer.createStatement();
                ResultSet rs = s.executeQuery("select state from pg_stat_activity where pid = " + pid)) {
            return rs.next() ? rs.getString(1) : "gone";
        }
    }
}
