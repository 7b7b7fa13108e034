package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.app.PgsealServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * {@code COPY … FROM STDIN} and {@code COPY … TO STDOUT} on a protected table through a real pgseal
 * server and a real PostgreSQL, with pgjdbc's CopyManager and psql's {@code \copy}: a table with a
 * column of every logical type, encrypted deterministically and randomized, takes rows in text and
 * CSV (headers, delimiters, NULL strings, values holding delimiters, quotes, backslashes, line
 * breaks, tabs and multi-byte characters, sent in one-byte CopyData messages) and PostgreSQL stores
 * only envelopes; COPY TO through pgseal gives exactly what the same COPY gives from a plaintext twin
 * table loaded directly. A bad value fails the whole COPY with its SQLSTATE; binary COPY, COPY
 * (query) and server files are refused; roles see what {@code on_unauthorized} allows.
 */
class EncryptedCopyIT {

    /** Logical type, column suffix, and values in PostgreSQL's text output form (null: NULL). */
    private record Kind(String type, String suffix, String... values) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("text", "text", "tab\there, \"quoted\"; semi", "back\\slash \\N \\. NULL", "new\nline\r\ncr",
                    "ünï 日本語 😀", ""),
            new Kind("varchar(40)", "varchar", "vc, one", "vc|two", "vc;three", "ß", "x"),
            new Kind("char(12)", "char", "marker", "a b", "c,d", "é", "z"),
            new Kind("int2", "int2", "-123", "0", "32767", "7", "-1"),
            new Kind("int4", "int4", "42", "-2147483648", "2147483647", "0", "17"),
            new Kind("int8", "int8", "-9000000000", "1", "9223372036854775807", "0", "5"),
            new Kind("numeric", "numeric", "12345.6789", "-0.5", "1e-10", "7", "100"),
            new Kind("float8", "float8", "1.25", "-0.5", "1e+100", "0", "3.5"),
            new Kind("bool", "bool", "t", "f", "t", "f", "t"),
            new Kind("date", "date", "2024-02-29", "1999-12-31", "2000-01-01", "2020-06-15", "1970-01-01"),
            new Kind("timestamp", "ts", "2021-06-01 12:30:15.123456", "2000-01-01 00:00:00", "1999-12-31 23:59:59",
                    "2020-02-29 12:00:00", "2010-10-10 10:10:10"),
            new Kind("timestamptz", "tstz", "2022-03-04 05:06:07+02", "2000-01-01 00:00:00+00",
                    "2021-12-31 23:00:00-05", "2020-01-01 12:00:00+00", "2015-05-05 05:05:05+00"),
            new Kind("uuid", "uuid", "00000000-0000-0001-0000-00000000001f", "123e4567-e89b-12d3-a456-426614174000",
                    "ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-000000000000",
                    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            new Kind("bytea", "bytea", "\\x6d61726b6572", "\\x", "\\x00ff10", "\\x5c78", "\\x0a0d09"),
            new Kind("jsonb", "jsonb", "{\"a\": [1, 2], \"marker\": 1}", "[]", "{\"k\": \"v,\\\"q\\\"\"}", "null",
                    "\"s\""));

    private static final int ROWS = 6; // the last row: every protected column NULL

    private static final String SUFFIX = Long.toString(System.nanoTime() % 2_000_000_000L, 36);
    private static final String READER = "copy_reader_" + SUFFIX;
    private static final String OUTSIDER = "copy_outsider_" + SUFFIX;

    @TempDir
    static Path dir;

    private static String database;
    private static PgsealServer server;
    private static final List<String> COLUMNS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        database = pg.createDatabase("copyenc");
        String storeDatabase = pg.createDatabase("copyenc_store");
        assertThat(KINDS.stream().map(k -> new VaultSchema.Type(k.type(), k.suffix())).toList())
                .as("the sample values cover exactly the vault's types").isEqualTo(VaultSchema.TYPES);
        COLUMNS.addAll(VaultSchema.vaultColumns());
        Path policyFile = Files.writeString(dir.resolve("policy.yaml"), VaultSchema.policyYaml(database, READER,
                false));
        Policy policy = PolicyLoader.load(policyFile).orElseThrow();
        try (Connection c = pg.connect(database)) {
            VaultSchema.create(c, policy, READER, OUTSIDER, false);
        }
        server = PgsealServer.start(ServerUnderPolicy.config(dir, policyFile, storeDatabase));
    }

    @AfterAll
    static void stop() throws SQLException {
        if (server != null) {
            server.close();
        }
        VaultSchema.drop(database, READER, OUTSIDER);
    }

    @BeforeEach
    void emptyTables() throws SQLException {
        VaultSchema.truncate(database);
    }

    private static Connection proxy(String user) throws SQLException {
        return connect("127.0.0.1", server.port(), user);
    }

    private static Connection direct() throws SQLException {
        PostgresFixture pg = PostgresFixture.get();
        return connect(pg.host(), pg.port(), pg.user());
    }

    private static Connection connect(String host, int port, String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (PostgresFixture.get().password() != null && user.equals(PostgresFixture.get().user())) {
            p.setProperty("password", PostgresFixture.get().password());
        }
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    private static CopyManager copies(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getCopyAPI();
    }

    // ---------------------------------------------------------------- the data

    /** How the test writes COPY data: format and options as the statement says them. */
    private record Format(String label, boolean csv, char delimiter, String nullString, boolean header, String with) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of(new Format("text defaults", false, '\t', "\\N", false, "")),
                Arguments.of(new Format("text, pipe, empty NULL", false, '|', "", false, " WITH (DELIMITER '|', NULL '')")),
                Arguments.of(new Format("csv header", true, ',', "", true, " WITH (FORMAT csv, HEADER)")),
                Arguments.of(new Format("csv old syntax, semicolon, NULL word", true, ';', "NULL", false,
                        " WITH CSV DELIMITER ';' NULL 'NULL'")));
    }

    /** The value of {@code column} in row {@code row} (1-based), or null. */
    private static String value(List<String> columns, String column, int row) {
        if (column.equals("id")) {
            return Integer.toString(row);
        }
        if (column.equals("label")) {
            return row % 2 == 0 ? null : "label " + row + ", \"x\"";
        }
        if (row == ROWS) {
            return null;
        }
        for (Kind k : KINDS) {
            if (column.endsWith("_" + k.suffix())) {
                // deterministic and randomized columns get different rows' values
                int i = (row - 1 + (column.startsWith("r_") ? 2 : 0)) % k.values().length;
                return k.values()[i];
            }
        }
        throw new IllegalArgumentException(column);
    }

    private static String data(Format f, List<String> columns) {
        StringBuilder out = new StringBuilder();
        if (f.header()) {
            out.append(String.join(String.valueOf(f.delimiter()), columns)).append('\n');
        }
        for (int row = 1; row <= ROWS; row++) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    out.append(f.delimiter());
                }
                out.append(field(f, value(columns, columns.get(i), row)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String field(Format f, String v) {
        if (v == null) {
            return f.nullString();
        }
        if (f.csv()) {
            boolean quote = v.equals(f.nullString()) || v.indexOf(f.delimiter()) >= 0 || v.contains("\"")
                    || v.contains("\n") || v.contains("\r");
            return quote ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
        }
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c == f.delimiter()) {
                        b.append('\\');
                    }
                    b.append(c);
                }
            }
        }
        return b.toString();
    }

    private static List<String> allColumns() {
        List<String> all = new ArrayList<>(List.of("id", "label"));
        all.addAll(COLUMNS);
        return all;
    }

    /** Sends {@code data} with COPY FROM STDIN in CopyData messages of {@code chunk} bytes. */
    private static long copyIn(Connection c, String sql, byte[] data, int chunk) throws SQLException {
        CopyIn in = copies(c).copyIn(sql);
        try {
            for (int i = 0; i < data.length; i += chunk) {
                in.writeToCopy(data, i, Math.min(chunk, data.length - i));
            }
            return in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static String copyOut(Connection c, String sql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copies(c).copyOut(sql, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Every value of {@code columns} in the protected table is an envelope, and there are as many
     * values as in {@code twin} (the plaintext twin, or the protected table itself for a count of
     * {@code expected} each).
     */
    private static void assertStoredAsEnvelopesOnly(List<String> columns, boolean compareWithTwin) throws SQLException {
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement()) {
            for (String col : columns) {
                if (!COLUMNS.contains(col)) {
                    continue;
                }
                long expected;
                if (compareWithTwin) {
                    try (ResultSet rs = s.executeQuery("select count(" + col + ") from twin")) {
                        rs.next();
                        expected = rs.getLong(1);
                    }
                } else {
                    expected = java.util.stream.IntStream.rangeClosed(1, ROWS)
                            .filter(row -> value(columns, col, row) != null).count();
                }
                try (ResultSet rs = s.executeQuery("select count(*) filter (where " + col + " is not null and "
                        + "get_byte(" + col + ", 0) <> 2), count(" + col + "), count(*) from vault")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("non-envelope in " + col).isZero();
                    assertThat(rs.getLong(2)).as("values in " + col).isEqualTo(expected).isPositive();
                    assertThat(rs.getLong(3)).isEqualTo(ROWS);
                }
            }
            try (ResultSet rs = s.executeQuery("select count(*) from vault where encode(d_text, 'escape') like "
                    + "'%quoted%' or encode(r_text, 'escape') like '%quoted%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    private static long count(String table) throws SQLException {
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------- the cases

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void copyInOfEveryTypeStoresEnvelopesAndCopyOutEqualsThePlaintextTwin(Format f) throws Exception {
        List<String> columns = allColumns();
        String list = " (" + String.join(", ", columns) + ")";
        byte[] data = data(f, columns).getBytes(StandardCharsets.UTF_8);
        try (Connection p = proxy(PostgresFixture.get().user()); Connection d = direct()) {
            // one-byte CopyData messages: fields, escapes and multi-byte characters cut everywhere
            assertThat(copyIn(p, "COPY vault" + list + " FROM STDIN" + f.with(), data, 1)).isEqualTo(ROWS);
            assertThat(copyIn(d, "COPY twin" + list + " FROM STDIN" + f.with(), data, data.length)).isEqualTo(ROWS);
            assertStoredAsEnvelopesOnly(columns, true);
            String expected = copyOut(d, "COPY twin" + list + " TO STDOUT" + f.with());
            assertThat(copyOut(p, "COPY vault" + list + " TO STDOUT" + f.with())).isEqualTo(expected);
            // all columns (no list) in table order, and a list in another order
            assertThat(copyOut(p, "COPY vault TO STDOUT" + f.with()))
                    .isEqualTo(copyOut(d, "COPY twin TO STDOUT" + f.with()));
            String reordered = " (r_text, id, d_int4, label, r_jsonb, d_tstz)";
            assertThat(copyOut(p, "COPY public.vault" + reordered + " TO STDOUT" + f.with()))
                    .isEqualTo(copyOut(d, "COPY public.twin" + reordered + " TO STDOUT" + f.with()));
            // what was copied in comes back, for the columns whose input is already PostgreSQL's output form
            List<String> textual = List.of("id", "label", "d_text", "r_text", "d_varchar", "d_int4", "r_bytea");
            String textualList = " (" + String.join(", ", textual) + ")";
            assertThat(copyOut(p, "COPY vault" + textualList + " TO STDOUT" + f.with())).isEqualTo(data(f, textual));
        }
    }

    @Test
    void aColumnListInAnotherOrderAndAllColumnsWithAReaderOfTinyChunks() throws Exception {
        Format text = new Format("text", false, '\t', "\\N", false, "");
        List<String> reordered = List.of("r_text", "d_int8", "id", "d_text", "r_date");
        String data = data(text, reordered);
        try (Connection p = proxy(PostgresFixture.get().user()); Connection d = direct()) {
            // an InputStream read 3 bytes at a time: CopyData messages cut inside characters
            copies(p).copyIn("COPY vault (" + String.join(", ", reordered) + ") FROM STDIN",
                    new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)), 3);
            copies(d).copyIn("COPY twin (" + String.join(", ", reordered) + ") FROM STDIN", new StringReader(data));
            assertThat(copyOut(p, "COPY vault TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *)"))
                    .isEqualTo(copyOut(d, "COPY twin TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *)"));
            assertThat(copyOut(p, "COPY vault (" + String.join(", ", reordered) + ") TO STDOUT")).isEqualTo(data);
        }
    }

    @Test
    void aBadValueFailsTheWholeCopyWithItsSqlstateAndNoRowLands() throws Exception {
        String good = "1\tfine\t1\n2\tfine too\t2\n";
        try (Connection p = proxy(PostgresFixture.get().user())) {
            copyIn(p, "COPY vault (id, d_text, d_int4) FROM STDIN", "100\tkept\t100\n".getBytes(StandardCharsets.UTF_8),
                    4);
            byte[] bad = (good + "3\tbad\tabc\n4\tafter\t4\n").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> copyIn(p, "COPY vault (id, d_text, d_int4) FROM STDIN", bad, 5))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("22P02");
                        assertThat(e.getMessage()).contains("public.vault.d_int4").doesNotContain("abc");
                    });
            assertThat(count("vault")).isEqualTo(1);
            // the session goes on
            assertThat(copyOut(p, "COPY vault (id, d_text, d_int4) TO STDOUT")).isEqualTo("100\tkept\t100\n");
            byte[] missing = "5\tshort\n".getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> copyIn(p, "COPY vault (id, d_text, d_int4) FROM STDIN", missing, 100))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22P04"));
            assertThat(count("vault")).isEqualTo(1);
        }
    }

    static Stream<Arguments> refusedCopies() {
        return Stream.of(
                Arguments.of("COPY vault FROM STDIN (FORMAT binary)", true),
                Arguments.of("COPY BINARY vault TO STDOUT", false),
                Arguments.of("COPY (SELECT id, d_text FROM vault) TO STDOUT", false),
                Arguments.of("COPY (SELECT v.id FROM twin t JOIN vault v USING (id)) TO STDOUT WITH CSV", false),
                Arguments.of("COPY vault (id, d_text) FROM STDIN WHERE d_text IS NOT NULL", true),
                Arguments.of("COPY vault FROM STDIN; SELECT 1", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCopies")
    void refusedShapesFailWith0A000AndNothingReachesTheTable(String sql, boolean in) throws Exception {
        try (Connection p = proxy(PostgresFixture.get().user())) {
            assertThatThrownBy(() -> {
                if (in) {
                    copies(p).copyIn(sql, new ByteArrayInputStream("1\tx\n".getBytes(StandardCharsets.UTF_8)));
                } else {
                    copyOut(p, sql);
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
        }
        assertThat(count("vault")).isZero();
    }

    @Test
    void serverFilesAndProgramsAreRefused() throws Exception {
        Path file = dir.resolve("rows.txt");
        Files.writeString(file, "1\tplaintext\n");
        file.toFile().setReadable(true, false);
        try (Connection p = proxy(PostgresFixture.get().user()); Statement s = p.createStatement()) {
            for (String sql : List.of("COPY vault (id, d_text) FROM '" + file + "'",
                    "COPY vault (id, d_text) TO '" + dir.resolve("out.txt") + "'",
                    "COPY vault (id, d_text) FROM PROGRAM 'cat " + file + "'")) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
            }
        }
        assertThat(count("vault")).isZero();
        assertThat(dir.resolve("out.txt")).doesNotExist();
    }

    @Test
    void copyThroughTheExtendedProtocolIsRefused() throws Exception {
        try (Connection p = proxy(PostgresFixture.get().user());
                java.sql.PreparedStatement ps = p.prepareStatement("COPY vault (id, d_text) TO STDOUT")) {
            assertThatThrownBy(ps::execute).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
        }
    }

    @Test
    void rolesSeeWhatOnUnauthorizedAllowsAndWritersAreChecked() throws Exception {
        try (Connection p = proxy(PostgresFixture.get().user())) {
            copyIn(p, "COPY people (id, ssn, diagnosis, phone, notes) FROM STDIN WITH (FORMAT csv)",
                    "1,123-45-6789,flu,555-0199,private\n2,,,,\n".getBytes(StandardCharsets.UTF_8), 2);
            assertThat(copyOut(p, "COPY people TO STDOUT (FORMAT csv)"))
                    .isEqualTo("1,123-45-6789,flu,555-0199,private\n2,,,,\n");
        }
        try (Connection o = proxy(OUTSIDER)) {
            String out = copyOut(o, "COPY people (id, ssn, diagnosis, phone) TO STDOUT");
            String[] first = out.split("\n")[0].split("\t");
            assertThat(first[0]).isEqualTo("1");
            assertThat(first[1]).startsWith("\\\\x02"); // ciphertext: the envelope as bytea text
            assertThat(first[2]).isEqualTo("\\N"); // nullify
            assertThat(first[3]).isEqualTo("***99"); // mask
            assertThat(out.split("\n")[1]).isEqualTo("2\t\\N\t\\N\t\\N");
            assertThatThrownBy(() -> copyOut(o, "COPY people TO STDOUT")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> copyIn(o, "COPY people (id, ssn) FROM STDIN", "3\tx\n".getBytes(
                    StandardCharsets.UTF_8), 10)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            // notes: any role may write it
            assertThat(copyIn(o, "COPY people (id, notes) FROM STDIN", "4\toutsider note\n".getBytes(
                    StandardCharsets.UTF_8), 10)).isEqualTo(1);
        }
        try (Connection p = proxy(PostgresFixture.get().user())) {
            assertThat(copyOut(p, "COPY people (id, notes) TO STDOUT")).contains("4\toutsider note\n");
        }
    }

    @Test
    void psqlCopyInAndOutThroughPgseal() throws Exception {
        List<String> columns = List.of("id", "label", "d_text", "r_text", "d_int4", "r_bytea");
        Format csv = new Format("csv", true, ',', "", true, "");
        String data = data(csv, columns);
        Path in = Files.writeString(dir.resolve("in.csv"), data);
        Path out = dir.resolve("out.csv");
        String list = "(" + String.join(", ", columns) + ")";
        psql("\\copy vault " + list + " from '" + in + "' with (format csv, header)");
        assertStoredAsEnvelopesOnly(columns, false);
        psql("\\copy vault " + list + " to '" + out + "' with (format csv, header)");
        assertThat(Files.readString(out)).isEqualTo(data);
        String text = psql("\\copy vault (id, d_text) to stdout");
        assertThat(text).contains("1\ttab\\there, \"quoted\"; semi\n");
    }

    private static String psql(String command) throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        ProcessBuilder b = new ProcessBuilder("psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(server.port()), "-U", pg.user(), "-d", database, "-c", command);
        b.redirectErrorStream(true);
        if (pg.password() != null) {
            b.environment().put("PGPASSWORD", pg.password());
        }
        b.environment().put("PGCLIENTENCODING", "UTF8");
        Process p = b.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(bytes, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
