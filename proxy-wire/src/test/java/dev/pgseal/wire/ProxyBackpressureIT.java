package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that does not read makes pgseal stop reading from PostgreSQL (no whole-result buffering):
 * PostgreSQL's backend is then seen waiting to write to its client (wait_event ClientWrite) instead
 * of finishing the query into pgseal's memory.
 */
class ProxyBackpressureIT {
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy();
        db = proxy.pg.createDatabase("wire_backpressure");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aSlowClientHoldsPostgresBackInsteadOfFillingPgsealsMemory() throws Exception {
        int rows = 200_000; // 200 MB of DataRows
        try (RawClient client = new RawClient(proxy.server.port()); Connection admin = proxy.pg.connect(db)) {
            client.startup(proxy.pg.user(), db);
            client.readUntilReady();
            byte[] sql = ("select repeat('x', 1000), 'pgseal-backpressure' from generate_series(1, " + rows + ")\0")
                    .getBytes(StandardCharsets.UTF_8);
            client.send(ByteBuffer.allocate(5 + sql.length).put((byte) 'Q').putInt(4 + sql.length).put(sql).array());

            String[] seen = {"", "starting"}; // wait_event, state
            try (Statement s = admin.createStatement()) {
                Await.until("PostgreSQL to block writing to pgseal or to finish", Duration.ofSeconds(60), () -> {
                    try (ResultSet rs = s.executeQuery("select coalesce(wait_event, ''), state from pg_stat_activity"
                            + " where query like 'select repeat(%pgseal-backpressure%' and pid <> pg_backend_pid()")) {
                        if (rs.next()) {
                            seen[0] = rs.getString(1);
                            seen[1] = rs.getString(2);
                        }
                    }
                    return seen[0].equals("ClientWrite") || seen[1].equals("idle");
                });
            }
            assertThat(seen[0]).as("PostgreSQL blocked writing to pgseal (state %s)", seen[1]).isEqualTo("ClientWrite");
            // Without backpressure pgseal would drain PostgreSQL into its own memory and the query
            // would finish within a second or two; with it, the query stays blocked for as long as
            // the client does not read. Sample it for a while: it must never have finished.
            try (Statement s = admin.createStatement()) {
                for (int i = 0; i < 60; i++) {
                    try (ResultSet rs = s.executeQuery("select state, pg_sleep(0.05) from pg_stat_activity"
                            + " where query like 'select repeat(%pgseal-backpressure%' and pid <> pg_backend_pid()")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).as("sample %d", i).isEqualTo("active");
                    }
                }
            }

            int dataRows = 0;
            RawClient.Message m;
            while ((m = client.read()) != null && m.type() != 'Z') {
                if (m.type() == 'D') {
                    dataRows++;
                }
            }
            assertThat(dataRows).isEqualTo(rows);
        }
    }
}
