package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.testing.PostgresFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgbench through pgseal: initialisation (COPY of 100,000 rows), then TPC-B with 4 clients on 2
 * threads in each query mode, counted in transactions; no transaction may fail and the ledger must
 * balance afterwards.
 */
class PgbenchIT extends PgsealTestBase {

    private static final int CLIENTS = 4;
    private static final int TRANSACTIONS_PER_CLIENT = 200;

    @TempDir
    static Path work;

    private ClientProcess.Result init;

    /** Initialisation goes through pgseal too (client-side generation: COPY FROM STDIN). */
    @BeforeAll
    void initialiseScaleOneThroughPgseal() throws Exception {
        init = pgbench(List.of("-i", "-s", "1", "-q"));
    }

    @Test
    void initialisationThroughPgsealLoadsScaleOne() throws Exception {
        assertThat(init.exitCode()).as(init.toString()).isZero();
        assertThat(init.stderr()).contains("done in");
        assertThat(queryLong("select count(*) from pgbench_accounts")).isEqualTo(100_000L);
        assertThat(queryLong("select count(*) from pgbench_tellers")).isEqualTo(10L);
        assertThat(queryLong("select count(*) from pgbench_branches")).isEqualTo(1L);
    }

    @ParameterizedTest(name = "-M {0}")
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void tpcbRunsWithoutAFailedTransaction(String mode) throws Exception {
        assertThat(init.exitCode()).as("pgbench -i: " + init).isZero();
        long historyBefore = queryLong("select count(*) from pgbench_history");
        // -n: no vacuum, which would also truncate pgbench_history and hide what this run did
        ClientProcess.Result run = pgbench(List.of("-n", "-M", mode, "-c", Integer.toString(CLIENTS), "-j", "2",
                "-t", Integer.toString(TRANSACTIONS_PER_CLIENT)));
        int total = CLIENTS * TRANSACTIONS_PER_CLIENT;
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("query mode: " + mode)
                .contains("number of transactions actually processed: " + total + "/" + total)
                .contains("number of failed transactions: 0 ");
        assertThat(queryLong("select count(*) from pgbench_history") - historyBefore).isEqualTo(total);
        // every transaction applied its delta to the account, its teller and its branch
        long deltas = queryLong("select coalesce(sum(delta), 0) from pgbench_history");
        assertThat(queryLong("select sum(abalance) from pgbench_accounts")).isEqualTo(deltas);
        assertThat(queryLong("select sum(tbalance) from pgbench_tellers")).isEqualTo(deltas);
        assertThat(queryLong("select sum(bbalance) from pgbench_branches")).isEqualTo(deltas);
    }

    private ClientProcess.Result pgbench(List<String> arguments) throws IOException, InterruptedException {
        PostgresFixture server = PostgresFixture.get();
        List<String> command = new ArrayList<>(List.of("pgbench"));
        command.addAll(arguments);
        command.addAll(through.libpqArguments(database.name(), server.user()));
        Map<String, String> env = new HashMap<>();
        if (server.password() != null) {
            env.put("PGPASSWORD", server.password());
        }
        return ClientProcess.run(work, Duration.ofSeconds(120), env, command);
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection c = connect(direct); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
