package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** LISTEN/NOTIFY through pgseal: notifications reach an idle client, unasked for. */
class JdbcNotifyIT extends PgsealTestBase {

    @Test
    void notificationFromAnotherSessionReachesAnIdleListener() throws SQLException {
        try (Connection listener = connectThrough(); Connection notifier = connectThrough();
                Statement ls = listener.createStatement(); Statement ns = notifier.createStatement()) {
            ls.execute("listen pgseal_channel");
            // the pid the notifier's driver knows, which applications compare notifications with
            int notifierPid = notifier.unwrap(PGConnection.class).getBackendPID();
            ns.execute("notify pgseal_channel, 'first payload'");
            ns.execute("select pg_notify('pgseal_channel', 'second payload')");

            List<String> received = receive(listener, 2);
            assertThat(received).containsExactly(
                    "pgseal_channel|first payload|" + notifierPid, "pgseal_channel|second payload|" + notifierPid);
            // and the listener's own traffic is still in step
            try (ResultSet rs = ls.executeQuery("select 'after notify'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("after notify");
            }
        }
    }

    @Test
    void notificationCommittedByADirectSessionReachesAListenerThroughPgseal() throws SQLException {
        try (Connection listener = connectThrough(); Connection notifier = connect(direct);
                Statement ls = listener.createStatement(); Statement ns = notifier.createStatement()) {
            ls.execute("listen other_channel");
            notifier.setAutoCommit(false);
            ns.execute("notify other_channel, 'sent in a transaction'");
            ns.execute("notify ignored_channel, 'nobody listens'");
            notifier.commit();
            assertThat(receive(listener, 1)).singleElement().asString().startsWith("other_channel|sent in a transaction|");
            ls.execute("unlisten other_channel");
            ns.execute("notify other_channel, 'after unlisten'");
            notifier.commit();
            try (ResultSet rs = ls.executeQuery("select 1")) {
                rs.next();
            }
            PGNotification[] late = listener.unwrap(PGConnection.class).getNotifications(200);
            assertThat(late == null ? List.of() : Arrays.asList(late)).isEmpty();
        }
    }

    @Test
    void backendPidKnownToTheDriverIsTheServersOwnAsDirect() throws SQLException {
        // Applications compare notification PIDs with getBackendPID() and pass it to
        // pg_terminate_backend or pg_stat_activity: it must be the real backend pid, as direct.
        try (Connection c = connectThrough(); Statement s = c.createStatement()) {
            assertThat(c.unwrap(PGConnection.class).getBackendPID()).isEqualTo(backendPid(s));
        }
    }

    private static List<String> receive(Connection listener, int expected) throws SQLException {
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<String> received = new java.util.ArrayList<>();
        for (int attempt = 0; attempt < 10 && received.size() < expected; attempt++) {
            PGNotification[] batch = pg.getNotifications(2_000);
            if (batch != null) {
                for (PGNotification n : batch) {
                    received.add(n.getName() + "|" + n.getParameter() + "|" + n.getPID());
                }
            }
        }
        return received;
    }

    private static int backendPid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
