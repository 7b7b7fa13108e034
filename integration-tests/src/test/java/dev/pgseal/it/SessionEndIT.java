package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

/** Either side dropping a session through pgseal ends the other side too, and the client sees what it would see direct. */
class SessionEndIT extends PgsealTestBase {

    @Test
    void clientVanishingWithoutTerminateEndsItsBackend() throws Exception {
        int pid;
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection observer = connect(direct)) {
            Connection c = connectThrough();
            pid = backendPid(c);
            assertThat(backendExists(observer, pid)).isTrue();
            c.abort(executor); // closes the socket, no Terminate message
            assertThat(awaitBackendGone(observer, pid, Duration.ofSeconds(15))).as("backend " + pid + " gone").isTrue();
        } finally {
            executor.shutdown();
        }
        assertThat(pgseal.awaitNoSessions(Duration.ofSeconds(10))).isZero();
    }

    @Test
    void backendTerminatedByTheServerReachesTheClientAsDirect() throws Exception {
        String expected = terminateUnderneath(direct);
        String actual = terminateUnderneath(through);
        assertThat(expected).startsWith("57P01");
        assertThat(actual).isEqualTo(expected);
        assertThat(pgseal.awaitNoSessions(Duration.ofSeconds(10))).isZero();
    }

    private String terminateUnderneath(Target target) throws Exception {
        try (Connection observer = connect(direct); Connection victim = connect(target)) {
            int pid = backendPid(victim);
            try (Statement s = observer.createStatement(); ResultSet rs = s.executeQuery("select pg_terminate_backend(" + pid + ")")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
            assertThat(awaitBackendGone(observer, pid, Duration.ofSeconds(15))).isTrue();
            SQLException e = catchThrowableOfType(SQLException.class, () -> backendPid(victim));
            assertThat((Throwable) e).as("query on a terminated session via " + target).isNotNull();
            return e.getSQLState() + " " + e.getMessage() + " closed=" + victim.isClosed();
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean backendExists(Connection observer, int pid) throws SQLException {
        try (Statement s = observer.createStatement();
                ResultSet rs = s.executeQuery("select 1 from pg_stat_activity where pid = " + pid)) {
            return rs.next();
        }
    }

    private static boolean awaitBackendGone(Connection observer, int pid, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (backendExists(observer, pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
