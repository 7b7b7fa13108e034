package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/** COPY FROM STDIN and TO STDOUT through pgseal with pgjdbc's CopyManager, including failures mid-copy. */
class JdbcCopyIT extends PgsealTestBase {

    private static String csvRows(int count) {
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            csv.append(i).append(",name ").append(i).append(",\"quoted, with comma and \"\"quote\"\"\nand newline ")
                    .append(i).append("\"\n");
        }
        return csv.toString();
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {1, 10_000})
    void copyInThenCopyOutReturnsTheSameCsv(int rows) throws SQLException, IOException {
        String csv = csvRows(rows);
        try (Connection c = connectThrough(); Statement s = c.createStatement()) {
            s.execute("create temp table c (id int primary key, name text, note text)");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            assertThat(copy.copyIn("copy c from stdin (format csv)", new StringReader(csv))).isEqualTo(rows);
            StringWriter out = new StringWriter();
            assertThat(copy.copyOut("copy (select * from c order by id) to stdout (format csv)", out)).isEqualTo(rows);
            assertThat(out.toString()).isEqualTo(csv);
            try (ResultSet rs = s.executeQuery("select count(*), sum(length(note)) from c")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(rows);
            }
        }
    }

    @Test
    void copyInWithABadRowFailsLikeDirectAndTheSessionStaysUsable() throws SQLException {
        String csv = csvRows(4_999) + "x,bad,row\n" + csvRows(10).replaceAll("(?m)^(\\d+),", "9999$1,");
        String expected = failCopy(direct, csv);
        String actual = failCopy(through, csv);
        assertThat(expected).startsWith("22P02");
        assertThat(actual).isEqualTo(expected);
    }

    private String failCopy(Target target, String csv) throws SQLException {
        try (Connection c = connect(target); Statement s = c.createStatement()) {
            s.execute("create temp table c (id int primary key, name text, note text)");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            PSQLException error = catchThrowableOfType(PSQLException.class,
                    () -> copy.copyIn("copy c from stdin (format csv)", new StringReader(csv)));
            assertThat((Throwable) error).as("copy with a bad row on " + target).isNotNull();
            try (ResultSet rs = s.executeQuery("select count(*) from c")) {
                rs.next();
                return error.getSQLState() + " " + error.getMessage() + " rows after: " + rs.getInt(1);
            }
        }
    }

    @Test
    void copyCancelledByTheClientSendsCopyFailAndTheSessionStaysUsable() throws SQLException, IOException {
        try (Connection c = connectThrough(); Statement s = c.createStatement()) {
            s.execute("create temp table c (id int primary key, name text, note text)");
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy c from stdin (format csv)");
            byte[] rows = csvRows(100).getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(rows, 0, rows.length);
            in.flushCopy();
            in.cancelCopy();
            assertThat(in.isActive()).isFalse();
            try (ResultSet rs = s.executeQuery("select count(*) from c")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            assertThat(copy.copyIn("copy c from stdin (format csv)", new StringReader(csvRows(3)))).isEqualTo(3);
        }
    }
}
