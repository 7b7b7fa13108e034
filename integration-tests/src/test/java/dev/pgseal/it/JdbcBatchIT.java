package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgjdbc batches through pgseal. pgjdbc pipelines a whole batch (Parse/Bind/Execute per row, one
 * Sync) before reading: the update counts and the failure position only come out right when
 * pgseal matches every response to the message it answers.
 */
class JdbcBatchIT extends PgsealTestBase {

    @ParameterizedTest(name = "reWriteBatchedInserts={0}")
    @ValueSource(booleans = {false, true})
    void thousandRowBatchInsertsEveryRowWithItsValues(boolean rewrite) throws SQLException {
        try (Connection c = connectThrough("reWriteBatchedInserts", Boolean.toString(rewrite));
                Statement s = c.createStatement()) {
            s.execute("create temp table b (id int primary key, name text not null, amount numeric not null)");
            int[] counts;
            try (PreparedStatement ps = c.prepareStatement("insert into b (id, name, amount) values (?, ?, ?)")) {
                for (int i = 1; i <= 1000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "name-" + i);
                    ps.setBigDecimal(3, java.math.BigDecimal.valueOf(i, 2));
                    ps.addBatch();
                }
                counts = ps.executeBatch();
            }
            assertThat(counts).hasSize(1000);
            // pgjdbc reports a rewritten multi-row insert as SUCCESS_NO_INFO for each row
            int perRow = rewrite ? Statement.SUCCESS_NO_INFO : 1;
            assertThat(Arrays.stream(counts).distinct().toArray()).containsExactly(perRow);
            try (ResultSet rs = s.executeQuery("select count(*), sum(id), sum(amount), "
                    + "md5(string_agg(name, ',' order by id)), md5(string_agg('name-' || g, ',' order by g)) "
                    + "from b full join generate_series(1, 1000) g on g = b.id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1000);
                assertThat(rs.getLong(2)).isEqualTo(500_500L);
                assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("5005.00");
                assertThat(rs.getString(4)).isEqualTo(rs.getString(5));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void batchedUpdatesReportEachStatementsOwnRowCount(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table u (id int primary key, hits int not null default 0)");
            s.execute("insert into u (id) select generate_series(1, 1000)");
            int[] divisors = {1, 2, 3, 7, 10, 1001, 250, 500};
            try (PreparedStatement ps = c.prepareStatement("update u set hits = hits + 1 where id % ? = 0")) {
                for (int d : divisors) {
                    ps.setInt(1, d);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertThat(counts).containsExactly(Arrays.stream(divisors).map(d -> 1000 / d).toArray());
            }
        }
    }

    static Stream<Arguments> modesAndAutocommit() {
        return Stream.of(ProtocolMode.values())
                .flatMap(m -> Stream.of(Arguments.of(m, true), Arguments.of(m, false)));
    }

    /** What a client observes from a failing batch, compared between direct and pgseal. */
    record BatchFailure(String sqlState, String message, int[] updateCounts, long rowsAfter, String nextQuery) {
        @Override
        public boolean equals(Object o) {
            return o instanceof BatchFailure f && f.sqlState.equals(sqlState) && f.message.equals(message)
                    && Arrays.equals(f.updateCounts, updateCounts) && f.rowsAfter == rowsAfter && f.nextQuery.equals(nextQuery);
        }

        @Override
        public int hashCode() {
            return sqlState.hashCode();
        }

        @Override
        public String toString() {
            return sqlState + " " + message + " counts=" + Arrays.toString(updateCounts) + " rows=" + rowsAfter + " next=" + nextQuery;
        }
    }

    @ParameterizedTest(name = "{0} autocommit={1}")
    @MethodSource("modesAndAutocommit")
    void batchWhoseFiftiethRowViolatesUniquenessFailsExactlyAsDirectAndTheConnectionStaysUsable(
            ProtocolMode mode, boolean autocommit) throws SQLException {
        BatchFailure expected = failBatchAtRowFifty(direct, mode, autocommit);
        BatchFailure actual = failBatchAtRowFifty(through, mode, autocommit);
        assertThat(expected.sqlState()).isEqualTo("23505");
        assertThat(actual).isEqualTo(expected);
    }

    private BatchFailure failBatchAtRowFifty(Target target, ProtocolMode mode, boolean autocommit) throws SQLException {
        try (Connection c = connect(target, mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table f (id int primary key)");
            c.setAutoCommit(autocommit);
            BatchUpdateException failure;
            try (PreparedStatement ps = c.prepareStatement("insert into f values (?)")) {
                for (int row = 1; row <= 100; row++) {
                    ps.setInt(1, row == 50 ? 7 : row);
                    ps.addBatch();
                }
                failure = catchThrowableOfType(BatchUpdateException.class, ps::executeBatch);
            }
            assertThat((Throwable) failure).as("batch with a duplicate key at row 50 on " + target).isNotNull();
            if (!autocommit) {
                c.rollback();
                c.setAutoCommit(true);
            }
            SQLException cause = failure.getNextException();
            long rows;
            String next;
            try (ResultSet rs = s.executeQuery("select count(*) from f")) {
                rs.next();
                rows = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("select 'usable ' || 1")) {
                rs.next();
                next = rs.getString(1);
            }
            return new BatchFailure(cause.getSQLState(), cause.getMessage(), failure.getUpdateCounts(), rows, next);
        }
    }
}
