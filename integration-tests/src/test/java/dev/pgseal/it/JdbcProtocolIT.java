package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGStatement;

/** pgjdbc through pgseal in every protocol mode: values, named statements, keys, streaming, binary, transactions, notices. */
class JdbcProtocolIT extends PgsealTestBase {

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void parameterizedQueriesReturnTheirValuesInEveryProtocolMode(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options());
                PreparedStatement ps = c.prepareStatement("select ?::int + 1, ?::text || '!', ?::numeric * 2, ?::date + 1")) {
            for (int i = 0; i < 5; i++) {
                ps.setInt(1, i);
                ps.setString(2, "it's " + i);
                ps.setBigDecimal(3, new BigDecimal("1.25").add(BigDecimal.valueOf(i)));
                ps.setObject(4, LocalDate.of(2024, 2, 28));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    assertThat(rs.getString(2)).isEqualTo("it's " + i + "!");
                    assertThat(rs.getBigDecimal(3)).isEqualByComparingTo(new BigDecimal("2.50").add(BigDecimal.valueOf(2L * i)));
                    assertThat(rs.getObject(4, LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void serverSidePreparedStatementExistsOnlyWithPrepareThresholdOneAndIsReusedForEveryExecution(ProtocolMode mode)
            throws SQLException {
        String sql = "select ?::int * 7 as probe";
        try (Connection c = connectThrough(mode.options()); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= 5; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(7 * i);
                }
            }
            boolean named = mode == ProtocolMode.EXTENDED_NAMED;
            if (mode != ProtocolMode.SIMPLE) {
                // (pgjdbc's flag ignores preferQueryMode, so it says nothing in simple mode)
                assertThat(ps.unwrap(PGStatement.class).isUseServerPrepare()).isEqualTo(named);
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*), coalesce(sum(generic_plans + custom_plans), 0)"
                            + " from pg_prepared_statements where statement = 'select $1::int * 7 as probe'")) {
                assertThat(rs.next()).isTrue();
                // one Parse, then five Bind/Execute of the same named statement
                assertThat(rs.getInt(1)).isEqualTo(named ? 1 : 0);
                assertThat(rs.getInt(2)).isEqualTo(named ? 5 : 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void generatedKeysAndReturningComeBackFromInserts(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table gk (id bigint generated always as identity primary key, name text not null)");
            try (PreparedStatement ps = c.prepareStatement("insert into gk (name) values (?)", Statement.RETURN_GENERATED_KEYS)) {
                for (String name : List.of("ada", "grace", "edsger")) {
                    ps.setString(1, name);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        assertThat(keys.next()).isTrue();
                        assertThat(keys.getLong("id")).isEqualTo(List.of("ada", "grace", "edsger").indexOf(name) + 1L);
                        assertThat(keys.getString("name")).isEqualTo(name);
                        assertThat(keys.next()).isFalse();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("insert into gk (name) values (?), (?) returning id, upper(name)")) {
                ps.setString(1, "barbara");
                ps.setString(2, "donald");
                List<String> returned = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        returned.add(rs.getLong(1) + ":" + rs.getString(2));
                    }
                }
                assertThat(returned).containsExactly("4:BARBARA", "5:DONALD");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void multiStatementStringReturnsEveryResultInOrder(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table ms (id int)");
            boolean isResultSet = s.execute("select 1; insert into ms values (1), (2); select 'three', 3; ; update ms set id = id + 1");
            List<String> results = new ArrayList<>();
            while (true) {
                if (isResultSet) {
                    try (ResultSet rs = s.getResultSet()) {
                        StringBuilder rows = new StringBuilder("rows:");
                        while (rs.next()) {
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                rows.append(' ').append(rs.getString(i));
                            }
                        }
                        results.add(rows.toString());
                    }
                } else if (s.getUpdateCount() >= 0) {
                    results.add("count: " + s.getUpdateCount());
                } else {
                    break;
                }
                isResultSet = s.getMoreResults();
            }
            assertThat(results).containsExactly("rows: 1", "count: 2", "rows: three 3", "count: 2");
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void emptyQueriesCompleteAndLeaveTheSessionInStep(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            assertThat(s.execute("")).isFalse();
            assertThat(s.execute(";")).isFalse();
            assertThat(s.execute("-- only a comment")).isFalse();
            assertThat(ids(s, "select 9")).containsExactly(9);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolMode.class, names = {"EXTENDED_UNNAMED", "EXTENDED_NAMED"})
    void metadataOfAStatementNotYetExecutedComesFromDescribe(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options());
                PreparedStatement query = c.prepareStatement("select ?::int4 as n, ?::text as t, now() as at");
                PreparedStatement update = c.prepareStatement("set application_name = 'described'")) {
            java.sql.ResultSetMetaData md = query.getMetaData();
            assertThat(md.getColumnCount()).isEqualTo(3);
            assertThat(md.getColumnLabel(1)).isEqualTo("n");
            assertThat(md.getColumnTypeName(2)).isEqualTo("text");
            assertThat(md.getColumnTypeName(3)).isEqualTo("timestamptz");
            java.sql.ParameterMetaData pmd = query.getParameterMetaData();
            assertThat(pmd.getParameterCount()).isEqualTo(2);
            assertThat(pmd.getParameterTypeName(1)).isEqualTo("int4");
            assertThat(pmd.getParameterTypeName(2)).isEqualTo("text");
            assertThat(update.getMetaData()).as("a statement without a result (NoData)").isNull();
            query.setInt(1, 11);
            query.setString(2, "eleven");
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt("n")).isEqualTo(11);
                assertThat(rs.getString("t")).isEqualTo("eleven");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void largeValuesCrossInOneMessageEachWay(ProtocolMode mode) throws SQLException {
        byte[] payload = new byte[8 * 1024 * 1024];
        new java.util.Random(42).nextBytes(payload);
        try (Connection c = connectThrough(mode.options());
                PreparedStatement ps = c.prepareStatement("select ?::bytea, md5(?::bytea), length(repeat('x', 5000000))")) {
            ps.setBytes(1, payload);
            ps.setBytes(2, payload);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(1)).isEqualTo(payload);
                assertThat(rs.getString(2)).isEqualTo(md5Hex(payload));
                assertThat(rs.getInt(3)).isEqualTo(5_000_000);
            }
        }
    }

    private static String md5Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void millionRowResultStreamsWithFetchSizeInAutocommitOff() throws SQLException {
        int rows = 1_000_000;
        CRC32 expected = new CRC32();
        for (int g = 1; g <= rows; g++) {
            expected.update(("row-" + g + "\n").getBytes(StandardCharsets.UTF_8));
        }
        try (Connection c = connectThrough()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                long count = 0;
                long sum = 0;
                CRC32 actual = new CRC32();
                try (ResultSet rs = s.executeQuery("select g, 'row-' || g from generate_series(1, " + rows + ") g")) {
                    while (rs.next()) {
                        count++;
                        sum += rs.getLong(1);
                        actual.update((rs.getString(2) + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                assertThat(count).isEqualTo(rows);
                assertThat(sum).isEqualTo((long) rows * (rows + 1) / 2);
                assertThat(actual.getValue()).isEqualTo(expected.getValue());
            }
            c.commit();
            // still in sync after a million rows in 1,000 portal executions
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 'after'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("after");
            }
        }
    }

    @Test
    void binaryTransferRoundTripsIntTimestampUuidAndBytea() throws SQLException {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        UUID uuid = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        LocalDateTime timestamp = LocalDateTime.of(2031, 12, 31, 23, 59, 58, 123_456_000);
        OffsetDateTime timestamptz = OffsetDateTime.of(1999, 1, 2, 3, 4, 5, 6_000, ZoneOffset.UTC);
        try (Connection c = connectThrough("binaryTransfer", "true", "prepareThreshold", "-1");
                Statement s = c.createStatement()) {
            s.execute("create temp table bin (i int4, l int8, ts timestamp, tz timestamptz, u uuid, b bytea)");
            try (PreparedStatement insert = c.prepareStatement("insert into bin values (?, ?, ?, ?, ?, ?)")) {
                insert.setInt(1, Integer.MIN_VALUE);
                insert.setLong(2, Long.MAX_VALUE);
                insert.setObject(3, timestamp);
                insert.setObject(4, timestamptz);
                insert.setObject(5, uuid);
                insert.setBytes(6, everyByte);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement select = c.prepareStatement("select i, l, ts, tz, u, b, i::text, b::text from bin where u = ?")) {
                select.setObject(1, uuid);
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(Integer.MIN_VALUE);
                    assertThat(rs.getLong(2)).isEqualTo(Long.MAX_VALUE);
                    assertThat(rs.getObject(3, LocalDateTime.class)).isEqualTo(timestamp);
                    assertThat(rs.getObject(4, OffsetDateTime.class).toInstant()).isEqualTo(timestamptz.toInstant());
                    assertThat(rs.getObject(5, UUID.class)).isEqualTo(uuid);
                    assertThat(rs.getBytes(6)).isEqualTo(everyByte);
                    // what the server stored, independently of the binary decoding above
                    assertThat(rs.getString(7)).isEqualTo("-2147483648");
                    assertThat(rs.getString(8)).startsWith("\\x000102").endsWith("fdfeff");
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void rollbackToSavepointKeepsTheWorkDoneBeforeIt(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table sp (id int primary key)");
            c.setAutoCommit(false);
            s.execute("insert into sp values (1)");
            Savepoint first = c.setSavepoint("first");
            s.execute("insert into sp values (2)");
            c.rollback(first);
            s.execute("insert into sp values (3)");
            Savepoint second = c.setSavepoint();
            assertThat(catchThrowableOfType(SQLException.class,
                    () -> s.execute("insert into sp values (1)")).getSQLState()).isEqualTo("23505");
            c.rollback(second);
            s.execute("insert into sp values (4)");
            c.commit();
            c.setAutoCommit(true);
            assertThat(ids(s, "select id from sp order by id")).containsExactly(1, 3, 4);
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void rollbackDiscardsTheTransactionAndCommitKeepsIt(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            s.execute("create temp table tx (id int)");
            c.setAutoCommit(false);
            s.execute("insert into tx values (1)");
            c.commit();
            s.execute("insert into tx values (2)");
            assertThat(ids(s, "select id from tx order by id")).containsExactly(1, 2);
            c.rollback();
            assertThat(ids(s, "select id from tx order by id")).containsExactly(1);
            c.commit();
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolMode.class)
    void raiseNoticeArrivesAsSqlWarningsWithTheirText(ProtocolMode mode) throws SQLException {
        try (Connection c = connectThrough(mode.options()); Statement s = c.createStatement()) {
            s.execute("do $$ begin raise notice 'pgseal notice %', 42; raise notice 'second notice'; end $$");
            SQLWarning warning = s.getWarnings();
            assertThat((Throwable) warning).as("first warning").isNotNull();
            assertThat(warning.getMessage()).contains("pgseal notice 42");
            assertThat(warning.getSQLState()).isEqualTo("00000");
            assertThat((Throwable) warning.getNextWarning()).as("second warning").isNotNull();
            assertThat(warning.getNextWarning().getMessage()).contains("second notice");
            assertThat(ids(s, "select 5")).containsExactly(5);
        }
    }

    private static List<Integer> ids(Statement s, String sql) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }
}
