package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Errors through pgseal carry the same SQLSTATE and message as direct, and leave the session usable,
 * in autocommit and inside a transaction, in every protocol mode.
 */
class JdbcErrorIT extends PgsealTestBase {

    /** A statement that fails, and the SQLSTATE PostgreSQL gives it. */
    enum FailingStatement {
        DIVISION_BY_ZERO("select 1 / (?::int - 1)", "1", "22012"),
        UNIQUE_VIOLATION("insert into taken (id) values (?::int)", "1", "23505"),
        SYNTAX_ERROR("selec ?::int from nowhere", "1", "42601"),
        UNDEFINED_TABLE("select * from no_such_table where id = ?::int", "1", "42P01");

        final String sql;
        final String parameter;
        final String sqlState;

        FailingStatement(String sql, String parameter, String sqlState) {
            this.sql = sql;
            this.parameter = parameter;
            this.sqlState = sqlState;
        }
    }

    @BeforeAll
    void createTheTakenKey() throws SQLException {
        database.executeDirect("create table taken (id int primary key); insert into taken values (1)");
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (FailingStatement f : FailingStatement.values()) {
            for (ProtocolMode m : ProtocolMode.values()) {
                all.add(Arguments.of(f, m, false));
                all.add(Arguments.of(f, m, true));
            }
        }
        return all.stream();
    }

    /** Everything a client can see of an error and of the session right after it. */
    record ErrorOutcome(String sqlState, String severity, String message, String detail, String hint, int position,
            String where, String driverMessage, String afterError, String afterRecovery) {
    }

    @ParameterizedTest(name = "{0} {1} inTransaction={2}")
    @MethodSource("cases")
    void errorMatchesDirectAndTheSessionStaysUsable(FailingStatement failing, ProtocolMode mode, boolean inTransaction)
            throws SQLException {
        ErrorOutcome expected = provoke(direct, failing, mode, inTransaction);
        ErrorOutcome actual = provoke(through, failing, mode, inTransaction);
        assertThat(expected.sqlState()).isEqualTo(failing.sqlState);
        assertThat(actual).isEqualTo(expected);
    }

    private ErrorOutcome provoke(Target target, FailingStatement failing, ProtocolMode mode, boolean inTransaction)
            throws SQLException {
        try (Connection c = connect(target, mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table work (n int)");
            c.setAutoCommit(!inTransaction);
            s.execute("insert into work values (1)");
            PSQLException error;
            try (PreparedStatement ps = c.prepareStatement(failing.sql)) {
                ps.setString(1, failing.parameter);
                error = catchThrowableOfType(PSQLException.class, ps::execute);
            }
            assertThat((Throwable) error).as(failing + " on " + target).isNotNull();
            ServerErrorMessage m = error.getServerErrorMessage();
            String afterError = outcomeOf(s, "select count(*) from work");
            String afterRecovery;
            if (inTransaction) {
                c.rollback();
                afterRecovery = outcomeOf(s, "select count(*) from work");
                c.commit();
            } else {
                afterRecovery = outcomeOf(s, "select count(*) + 100 from work");
            }
            return new ErrorOutcome(error.getSQLState(), m.getSeverity(), m.getMessage(), m.getDetail(), m.getHint(),
                    m.getPosition(), m.getWhere(), error.getMessage(), afterError, afterRecovery);
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void multiStatementStringFailingInTheMiddleMatchesDirect(ProtocolMode mode) throws SQLException {
        String expected = failMidString(direct, mode);
        String actual = failMidString(through, mode);
        assertThat(expected).contains("22012");
        assertThat(actual).isEqualTo(expected);
    }

    private String failMidString(Target target, ProtocolMode mode) throws SQLException {
        try (Connection c = connect(target, mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table mid (id int)");
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> s.execute("insert into mid values (1); select 1 / 0; insert into mid values (3)"));
            assertThat((Throwable) e).as("failing multi-statement string on " + target).isNotNull();
            // the string ran as one implicit transaction: nothing of it remains
            return e.getSQLState() + " " + e.getMessage() + " | " + outcomeOf(s, "select count(*) from mid");
        }
    }

    private static String outcomeOf(Statement s, String sql) {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return "ok " + rs.getString(1);
        } catch (SQLException e) {
            return "error " + e.getSQLState() + " " + e.getMessage();
        }
    }
}
