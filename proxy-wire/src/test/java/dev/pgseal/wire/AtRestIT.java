package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.EnvelopeConstraint;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.wire.app.PgsealServer;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.PGobject;

/**
 * Nothing protected is left in plaintext at rest. A private PostgreSQL that logs every statement
 * (with its parameters, also on error) sits behind a real pgseal server; pgjdbc in every protocol
 * mode and psql run a workload through pgseal in which every protected value holds a unique marker:
 * inserts with literals and parameters, batches, upserts, updates, deletes, lookups by deterministic
 * columns, and statements that fail in PostgreSQL after pgseal rewrote them. Afterwards no marker
 * (in its text form, the hex of that, and for some types its binary form) is in a direct read of
 * the table, in {@code pg_dump}, in PostgreSQL's log, in the key store's audit log or in the raw
 * data directory (heap, indexes, WAL), while reading through pgseal returns every marker intact.
 * A leak is reported with the marker's column and the statement shape that wrote it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AtRestIT {

    /** A protected logical type and the suffix of its columns ({@code d_} deterministic, {@code r_} randomized). */
    enum Kind {
        TEXT("text", "text"), VARCHAR("varchar(40)", "varchar"), INT4("int4", "int4"), INT8("int8", "int8"),
        NUMERIC("numeric", "numeric"), DATE("date", "date"), TIMESTAMPTZ("timestamptz", "tstz"),
        UUID("uuid", "uuid"), JSONB("jsonb", "jsonb"), BYTEA("bytea", "bytea");

        final String type;
        final String suffix;

        Kind(String type, String suffix) {
            this.type = type;
            this.suffix = suffix;
        }

        /** The value as this test compares it, read by pgjdbc however it was transferred. */
        String read(ResultSet rs, String column) throws SQLException {
            if (rs.getObject(column) == null) {
                return null;
            }
            return switch (this) {
                case TEXT, VARCHAR, JSONB -> rs.getString(column);
                case INT4 -> Integer.toString(rs.getInt(column));
                case INT8 -> Long.toString(rs.getLong(column));
                case NUMERIC -> rs.getBigDecimal(column).toPlainString();
                case DATE -> rs.getObject(column, LocalDate.class).toString();
                case TIMESTAMPTZ -> rs.getObject(column, OffsetDateTime.class).toInstant().toString();
                case UUID -> rs.getObject(column, java.util.UUID.class).toString();
                case BYTEA -> HexFormat.of().formatHex(rs.getBytes(column));
            };
        }
    }

    /**
     * One protected value of the workload.
     *
     * @param column where it was written
     * @param shape the statement shape that carried it (named in a leak report)
     * @param parameter the value as bound by pgjdbc
     * @param literal the value as an SQL literal
     * @param expected what {@link Kind#read} returns for it through pgseal
     * @param forms every spelling that must not appear at rest (lower case)
     * @param token the {@code MRK…} string inside it, or null for numbers, dates and UUIDs
     */
    record Marker(Kind kind, String column, String shape, Object parameter, String literal, String expected,
                  List<String> forms, String token) {
    }

    /** How pgjdbc talks to pgseal. */
    enum Mode {
        SIMPLE("preferQueryMode=simple"),
        EXTENDED_THRESHOLD_0("prepareThreshold=0"),
        EXTENDED_THRESHOLD_1("prepareThreshold=1"),
        EXTENDED_TEXT_ONLY("prepareThreshold=1", "binaryTransfer=false"),
        BATCH_REWRITTEN("prepareThreshold=1", "reWriteBatchedInserts=true");

        final String[] settings;

        Mode(String... settings) {
            this.settings = settings;
        }
    }

    private static final List<Kind> KINDS = List.of(Kind.values());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TOKEN = Pattern.compile("MRK[0-9a-f]{16}");
    private static final Duration LOG_DEADLINE = Duration.ofSeconds(20);
    private static final String APP = "atrest_app";
    private static final String STORE = "atrest_store";

    @TempDir
    static Path dir;

    private static LoggingPostgres pg;
    private static PgsealServer server;
    /** Every marker the workload sent, in order. */
    private static final List<Marker> SENT = new ArrayList<>();
    /** What each protected cell should hold after the workload: row id → column → marker. */
    private static final Map<Long, Map<String, Marker>> STORED = new TreeMap<>();
    private static long nextId = 1;

    @BeforeAll
    static void startAndRunTheWorkload() throws Exception {
        Path bin = PasswordPostgres.findBinaries();
        assumeTrue(bin != null, "no local PostgreSQL installation (initdb, pg_ctl) under /usr/lib/postgresql");
        pg = LoggingPostgres.start(bin);
        try (Connection c = pg.direct("postgres"); Statement s = c.createStatement()) {
            s.execute("create database " + APP);
            s.execute("create database " + STORE);
        }
        Path policyFile = Files.writeString(dir.resolve("policy.yaml"), policyYaml());
        Policy policy = PolicyLoader.load(policyFile).orElseThrow();
        try (Connection c = pg.direct(APP); Statement s = c.createStatement()) {
            StringBuilder table = new StringBuilder(
                    "create table public.vault (id int8 primary key, label text, qty int4 check (qty >= 0)");
            for (Kind k : KINDS) {
                table.append(", d_").append(k.suffix).append(" bytea, r_").append(k.suffix).append(" bytea");
            }
            s.execute(table.append(")").toString());
            for (TablePolicy t : policy.tables()) {
                for (ColumnPolicy col : t.columns()) {
                    s.execute(EnvelopeConstraint.addStatement(t.name(), col));
                }
            }
            // A deterministic column with a unique index, so a rewritten statement can fail with 23505.
            s.execute("create unique index vault_d_text_unique on public.vault (d_text)");
        }
        server = PgsealServer.start(ServerUnderPolicy.config(dir, policyFile, "127.0.0.1", pg.port, "postgres",
                null, pg.jdbcUrl(STORE)));

        for (Mode mode : Mode.values()) {
            jdbcWorkload(mode);
        }
        psqlWorkload();
        try (Connection c = pg.direct(APP); Statement s = c.createStatement()) {
            s.execute("checkpoint");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    private static String policyYaml() {
        StringBuilder yaml = new StringBuilder("""
                version: 1
                databases: [%s]
                keys:
                  - name: vault
                tables:
                  - name: public.vault
                    primary_key: id
                    columns:
                """.formatted(APP));
        for (Kind k : KINDS) {
            for (String mode : List.of("deterministic", "randomized")) {
                yaml.append("""
                              - name: %s_%s
                                type: %s
                                encryption: %s
                                key: vault
                                readers: "*"
                        """.formatted(mode.charAt(0), k.suffix, k.type, mode));
            }
        }
        return yaml.toString();
    }

    // ---------------------------------------------------------------- markers

    private static String token() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "MRK" + HexFormat.of().formatHex(b);
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh marker for {@code column}, remembered as sent by {@code shape}. */
    private static Marker marker(String column, String shape) {
        Kind kind = KINDS.stream().filter(k -> column.substring(2).equals(k.suffix)).findFirst().orElseThrow();
        Marker m = switch (kind) {
            case TEXT, VARCHAR -> {
                String t = token();
                yield new Marker(kind, column, shape, t, "'" + t + "'", t, List.of(t, hex(t)), t);
            }
            case JSONB -> {
                String t = token();
                String json = "{\"k\": \"" + t + "\"}";
                PGobject o = new PGobject();
                try {
                    o.setType("jsonb");
                    o.setValue(json);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                yield new Marker(kind, column, shape, o, "'" + json + "'", json, List.of(t, hex(t)), t);
            }
            case BYTEA -> {
                String t = token();
                yield new Marker(kind, column, shape, t.getBytes(StandardCharsets.UTF_8), "'\\x" + hex(t) + "'",
                        hex(t), List.of(t, hex(t)), t);
            }
            case INT4 -> {
                int v = 1_000_000_000 + RANDOM.nextInt(1_000_000_000);
                String s = Integer.toString(v);
                yield new Marker(kind, column, shape, v, s, s, List.of(s, hex(s)), null);
            }
            case INT8 -> {
                long v = 100_000_000_000_000_000L + (RANDOM.nextLong() & Long.MAX_VALUE) % 800_000_000_000_000_000L;
                String s = Long.toString(v);
                yield new Marker(kind, column, shape, v, s, s, List.of(s, hex(s), String.format("%016x", v)), null);
            }
            case NUMERIC -> {
                String s = (1_000_000 + RANDOM.nextInt(9_000_000)) + "." + (100_000 + RANDOM.nextInt(900_000))
                        + (1 + RANDOM.nextInt(9));
                yield new Marker(kind, column, shape, new BigDecimal(s), s, s, List.of(s, hex(s)), null);
            }
            case DATE -> {
                LocalDate d = LocalDate.of(2100 + RANDOM.nextInt(800), 1 + RANDOM.nextInt(12), 1 + RANDOM.nextInt(28));
                String s = d.toString();
                yield new Marker(kind, column, shape, d, "'" + s + "'", s, List.of(s, hex(s)), null);
            }
            case TIMESTAMPTZ -> {
                // Six fractional digits, the last not zero, so the text form is always the same length.
                int micros = (10_000 + RANDOM.nextInt(90_000)) * 10 + 1 + RANDOM.nextInt(9);
                OffsetDateTime t = OffsetDateTime.of(LocalDateTime.of(2100 + RANDOM.nextInt(800), 1 + RANDOM.nextInt(12),
                        1 + RANDOM.nextInt(28), RANDOM.nextInt(24), RANDOM.nextInt(60), RANDOM.nextInt(60),
                        micros * 1000), ZoneOffset.UTC);
                String text = t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"));
                String secondsAndMicros = text.substring(text.length() - 9);
                long sincePgEpoch = (t.toEpochSecond() - Instant.parse("2000-01-01T00:00:00Z").getEpochSecond())
                        * 1_000_000L + micros;
                yield new Marker(kind, column, shape, t, "'" + text + "+00'", t.toInstant().toString(),
                        List.of(text, text.replace(' ', 't'), secondsAndMicros, hex(text),
                                String.format("%016x", sincePgEpoch)),
                        null);
            }
            case UUID -> {
                java.util.UUID u = java.util.UUID.randomUUID();
                String s = u.toString();
                yield new Marker(kind, column, shape, u, "'" + s + "'", s, List.of(s, s.replace("-", ""), hex(s)), null);
            }
        };
        SENT.add(m);
        return m;
    }

    /** Every protected column, in table order. */
    private static Set<String> protectedColumns() {
        Set<String> columns = new LinkedHashSet<>();
        for (Kind k : KINDS) {
            columns.add("d_" + k.suffix);
            columns.add("r_" + k.suffix);
        }
        return columns;
    }

    /** A fresh marker in every protected column, as one row. */
    private static Map<String, Marker> row(String shape) {
        Map<String, Marker> row = new LinkedHashMap<>();
        for (String column : protectedColumns()) {
            row.put(column, marker(column, shape));
        }
        return row;
    }

    private static void stored(long id, Map<String, Marker> cells) {
        STORED.computeIfAbsent(id, x -> new LinkedHashMap<>()).putAll(cells);
    }

    // ---------------------------------------------------------------- the workload

    private static Connection proxy(Mode mode) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        for (String s : mode.settings) {
            p.setProperty(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + APP, p);
    }

    private static String insertSql(Set<String> columns) {
        return "insert into vault (id, label, qty, " + String.join(", ", columns) + ") values (?, ?, ?"
                + ", ?".repeat(columns.size()) + ")";
    }

    private static void bind(PreparedStatement ps, long id, int qty, Map<String, Marker> row) throws SQLException {
        int i = 1;
        ps.setLong(i++, id);
        ps.setString(i++, "row " + id);
        ps.setInt(i++, qty);
        for (Marker m : row.values()) {
            ps.setObject(i++, m.parameter());
        }
    }

    private static String literalInsert(long id, int qty, Map<String, Marker> row) {
        StringBuilder values = new StringBuilder("(" + id + ", 'row " + id + "', " + qty);
        for (Marker m : row.values()) {
            values.append(", ").append(m.literal());
        }
        return "insert into vault (id, label, qty, " + String.join(", ", row.keySet()) + ") values " + values + ")";
    }

    /** One session's share of the workload; every statement shape is named in the markers it carries. */
    private static void jdbcWorkload(Mode mode) throws SQLException {
        String m = "pgjdbc " + mode + ": ";
        try (Connection c = proxy(mode); Statement s = c.createStatement()) {
            // Inserts with parameters, executed several times (prepareThreshold), and with literals.
            for (int n = 0; n < 3; n++) {
                long id = nextId++;
                Map<String, Marker> row = row(m + "insert with parameters");
                try (PreparedStatement ps = c.prepareStatement(insertSql(row.keySet()))) {
                    bind(ps, id, 1, row);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                stored(id, row);
            }
            long literalId = nextId++;
            Map<String, Marker> literalRow = row(m + "insert with literals");
            assertThat(s.executeUpdate(literalInsert(literalId, 1, literalRow))).isEqualTo(1);
            stored(literalId, literalRow);

            // A batch (rewritten into one multi-row insert in BATCH_REWRITTEN).
            List<Long> batchIds = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(insertSql(protectedColumns()))) {
                for (int n = 0; n < 4; n++) {
                    long id = nextId++;
                    Map<String, Marker> row = row(m + "batch insert with parameters");
                    bind(ps, id, 2, row);
                    ps.addBatch();
                    stored(id, row);
                    batchIds.add(id);
                }
                assertThat(ps.executeBatch()).hasSize(4);
            }

            // A multi-row insert with literals.
            long a = nextId++;
            long b = nextId++;
            Map<String, Marker> ra = row(m + "multi-row insert with literals");
            Map<String, Marker> rb = row(m + "multi-row insert with literals");
            String second = literalInsert(b, 3, rb);
            assertThat(s.executeUpdate(literalInsert(a, 3, ra) + ", " + second.substring(second.indexOf(" values ") + 8)))
                    .isEqualTo(2);
            stored(a, ra);
            stored(b, rb);

            // Upserts: ON CONFLICT DO UPDATE with parameters (excluded.*) and with literals in SET.
            long target = batchIds.get(0);
            Map<String, Marker> up = new LinkedHashMap<>();
            for (String col : List.of("d_text", "r_text", "d_int8", "r_jsonb", "r_tstz", "d_bytea")) {
                up.put(col, marker(col, m + "upsert ON CONFLICT DO UPDATE with parameters"));
            }
            try (PreparedStatement ps = c.prepareStatement("insert into vault (id, " + String.join(", ", up.keySet())
                    + ") values (?" + ", ?".repeat(up.size()) + ") on conflict (id) do update set "
                    + String.join(", ", up.keySet().stream().map(x -> x + " = excluded." + x).toList()))) {
                ps.setLong(1, target);
                int i = 2;
                for (Marker x : up.values()) {
                    ps.setObject(i++, x.parameter());
                }
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            stored(target, up);
            long upsertNew = nextId++;
            Map<String, Marker> fresh = new LinkedHashMap<>();
            fresh.put("d_text", marker("d_text", m + "upsert ON CONFLICT DO UPDATE with literals"));
            fresh.put("r_varchar", marker("r_varchar", m + "upsert ON CONFLICT DO UPDATE with literals"));
            Map<String, Marker> set = new LinkedHashMap<>();
            set.put("r_varchar", marker("r_varchar", m + "upsert ON CONFLICT DO UPDATE with literals (SET)"));
            set.put("r_numeric", marker("r_numeric", m + "upsert ON CONFLICT DO UPDATE with literals (SET)"));
            set.put("d_uuid", marker("d_uuid", m + "upsert ON CONFLICT DO UPDATE with literals (SET)"));
            for (int n = 0; n < 2; n++) {
                // The first inserts, the second conflicts and takes the SET branch.
                assertThat(s.executeUpdate("insert into vault (id, d_text, r_varchar) values (" + upsertNew + ", "
                        + fresh.get("d_text").literal() + ", " + fresh.get("r_varchar").literal()
                        + ") on conflict (id) do update set " + String.join(", ", set.entrySet().stream()
                                .map(e -> e.getKey() + " = " + e.getValue().literal()).toList()))).isEqualTo(1);
            }
            stored(upsertNew, fresh);
            stored(upsertNew, set);

            // Updates by a deterministic column: parameters, then literals.
            long u1 = batchIds.get(1);
            Map<String, Marker> u1Set = new LinkedHashMap<>();
            u1Set.put("r_text", marker("r_text", m + "update with parameters"));
            u1Set.put("r_date", marker("r_date", m + "update with parameters"));
            u1Set.put("d_int4", marker("d_int4", m + "update with parameters"));
            try (PreparedStatement ps = c.prepareStatement(
                    "update vault set r_text = ?, r_date = ?, d_int4 = ? where d_text = ?")) {
                int i = 1;
                for (Marker x : u1Set.values()) {
                    ps.setObject(i++, x.parameter());
                }
                ps.setObject(i, STORED.get(u1).get("d_text").parameter());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            stored(u1, u1Set);
            long u2 = batchIds.get(2);
            Marker newUuid = marker("r_uuid", m + "update with literals");
            Marker newInt4 = marker("r_int4", m + "update with literals");
            assertThat(s.executeUpdate("update vault set r_uuid = " + newUuid.literal() + ", r_int4 = "
                    + newInt4.literal() + " where d_int8 = " + STORED.get(u2).get("d_int8").literal())).isEqualTo(1);
            stored(u2, Map.of("r_uuid", newUuid, "r_int4", newInt4));

            // Lookups by deterministic columns, with parameters and with literals; one finds nothing.
            Map<String, Marker> lookedUp = STORED.get(literalId);
            for (String col : List.of("d_text", "d_varchar", "d_int4", "d_int8", "d_numeric", "d_date", "d_tstz",
                    "d_uuid", "d_bytea")) {
                Marker x = lookedUp.get(col);
                try (PreparedStatement ps = c.prepareStatement("select id, r_text from vault where " + col + " = ?")) {
                    ps.setObject(1, x.parameter());
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).as(m + "lookup by " + col + " with a parameter").isTrue();
                        assertThat(rs.getLong(1)).isEqualTo(literalId);
                    }
                }
                try (ResultSet rs = s.executeQuery("select id from vault where " + col + " = " + x.literal())) {
                    assertThat(rs.next()).as(m + "lookup by " + col + " with a literal").isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(literalId);
                }
            }
            Marker absent = marker("d_text", m + "lookup by a value that is not stored");
            try (PreparedStatement ps = c.prepareStatement("select id from vault where d_text = ?")) {
                ps.setObject(1, absent.parameter());
                assertThat(ps.executeQuery().next()).isFalse();
            }
            try (ResultSet rs = s.executeQuery("select id from vault where d_text in (" + absent.literal() + ", "
                    + marker("d_text", m + "lookup by a value that is not stored").literal() + ")")) {
                assertThat(rs.next()).isFalse();
            }

            // Deletes by a deterministic column, with a parameter and with a literal.
            long d1 = nextId++;
            long d2 = nextId++;
            for (long id : new long[] {d1, d2}) {
                Map<String, Marker> row = row(m + "insert of a row deleted later");
                try (PreparedStatement ps = c.prepareStatement(insertSql(row.keySet()))) {
                    bind(ps, id, 1, row);
                    ps.executeUpdate();
                }
                stored(id, row);
            }
            try (PreparedStatement ps = c.prepareStatement("delete from vault where d_text = ?")) {
                ps.setObject(1, STORED.get(d1).get("d_text").parameter());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            assertThat(s.executeUpdate("delete from vault where d_date = " + STORED.get(d2).get("d_date").literal()))
                    .isEqualTo(1);
            STORED.remove(d1);
            STORED.remove(d2);

            failingStatements(mode, c, s, m, literalId);
        }
    }

    /** Statements that pgseal rewrites and PostgreSQL then rejects: they log the rewritten text. */
    private static void failingStatements(Mode mode, Connection c, Statement s, String m, long existing)
            throws SQLException {
        Marker taken = STORED.get(existing).get("d_text");
        // A unique violation on the deterministic column, new markers in the other columns.
        Map<String, Marker> dup = row(m + "insert failing with a unique violation (23505)");
        dup.put("d_text", taken);
        try (PreparedStatement ps = c.prepareStatement(insertSql(dup.keySet()))) {
            bind(ps, nextId++, 1, dup);
            assertThatThrownBy(ps::executeUpdate).as(m + "unique violation with parameters")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        }
        Map<String, Marker> dupLiteral = row(m + "insert with literals failing with a unique violation (23505)");
        dupLiteral.put("d_text", taken);
        assertThatThrownBy(() -> s.executeUpdate(literalInsert(nextId++, 1, dupLiteral)))
                .as(m + "unique violation with literals")
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        // A CHECK violation on a plain column in the same statement as protected values.
        Map<String, Marker> negative = row(m + "insert failing a CHECK on a plain column (23514)");
        try (PreparedStatement ps = c.prepareStatement(insertSql(negative.keySet()))) {
            bind(ps, nextId++, -1, negative);
            assertThatThrownBy(ps::executeUpdate).as(m + "check violation with parameters")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23514"));
        }
        Map<String, Marker> negativeLiteral = row(m + "insert with literals failing a CHECK on a plain column (23514)");
        assertThatThrownBy(() -> s.executeUpdate(literalInsert(nextId++, -1, negativeLiteral)))
                .as(m + "check violation with literals")
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23514"));
        Marker updated = marker("r_text", m + "update failing a CHECK on a plain column (23514)");
        try (PreparedStatement ps = c.prepareStatement("update vault set r_text = ?, qty = -5 where d_text = ?")) {
            ps.setObject(1, updated.parameter());
            ps.setObject(2, taken.parameter());
            assertThatThrownBy(ps::executeUpdate).as(m + "failing update")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23514"));
        }
        // A marker that is no valid value of the column's type.
        String bad = token();
        Marker invalid = new Marker(Kind.INT4, "d_int4", m + "insert of a value invalid for the column's type",
                bad, "'" + bad + "'", null, List.of(bad, hex(bad)), bad);
        SENT.add(invalid);
        if (mode == Mode.SIMPLE) {
            assertThatThrownBy(() -> s.executeUpdate("insert into vault (id, d_int4) values (" + nextId++ + ", "
                    + invalid.literal() + ")")).as(m + "invalid literal").isInstanceOf(SQLException.class);
        } else {
            try (PreparedStatement ps = c.prepareStatement("insert into vault (id, d_int4) values (?, ?)")) {
                ps.setLong(1, nextId++);
                ps.setObject(2, bad, Types.OTHER);
                assertThatThrownBy(ps::executeUpdate).as(m + "invalid parameter").isInstanceOf(SQLException.class);
            }
        }
        // The session is still usable after every failure.
        try (ResultSet rs = s.executeQuery("select count(*) from vault")) {
            assertThat(rs.next()).isTrue();
        }
    }

    /** psql through pgseal: the simple protocol with literals typed by a person. */
    private static void psqlWorkload() throws Exception {
        String p = "psql: ";
        long a = nextId++;
        long b = nextId++;
        long gone = nextId++;
        Map<String, Marker> ra = row(p + "insert with literals");
        Map<String, Marker> rb = row(p + "insert with literals");
        Map<String, Marker> rGone = row(p + "insert of a row deleted later");
        Marker updated = marker("r_text", p + "update with literals");
        Marker upserted = marker("r_bytea", p + "upsert ON CONFLICT DO UPDATE with literals");
        Map<String, Marker> dup = row(p + "insert failing with a unique violation (23505)");
        dup.put("d_text", ra.get("d_text"));
        Map<String, Marker> negative = row(p + "insert failing a CHECK on a plain column (23514)");
        String script = String.join("\n",
                literalInsert(a, 1, ra) + ";",
                literalInsert(b, 1, rb) + ";",
                literalInsert(gone, 1, rGone) + ";",
                "update vault set r_text = " + updated.literal() + " where d_varchar = " + ra.get("d_varchar").literal() + ";",
                "insert into vault (id, r_bytea) values (" + b + ", " + upserted.literal()
                        + ") on conflict (id) do update set r_bytea = excluded.r_bytea;",
                "delete from vault where d_uuid = " + rGone.get("d_uuid").literal() + ";",
                literalInsert(nextId++, 1, dup) + ";",
                literalInsert(nextId++, -1, negative) + ";",
                "select 'found', id, r_text from vault where d_text = " + ra.get("d_text").literal() + ";",
                "");
        Path file = Files.writeString(dir.resolve("workload.sql"), script);
        String out = ExternalCommand.run(dir, pg.bin.resolve("psql").toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-v",
                "VERBOSITY=verbose", "-h", "127.0.0.1", "-p", Integer.toString(server.port()), "-U", "postgres",
                "-d", APP, "-f", file.toString());
        assertThat(out).as("psql output").contains("INSERT 0 1", "UPDATE 1", "DELETE 1", "23505", "23514",
                "found|" + a + "|" + updated.parameter());
        stored(a, ra);
        stored(a, Map.of("r_text", updated));
        stored(b, rb);
        stored(b, Map.of("r_bytea", upserted));
    }

    // ---------------------------------------------------------------- the checks

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1", "EXTENDED_TEXT_ONLY"})
    @Order(1)
    void readingThroughPgsealReturnsEveryStoredMarkerIntact(Mode mode) throws Exception {
        int checked = 0;
        try (Connection c = proxy(mode)) {
            for (int round = 0; round < 2; round++) {
                try (PreparedStatement ps = c.prepareStatement("select * from vault order by id");
                     ResultSet rs = ps.executeQuery()) {
                    Set<Long> seen = new LinkedHashSet<>();
                    while (rs.next()) {
                        long id = rs.getLong("id");
                        seen.add(id);
                        Map<String, Marker> cells = STORED.get(id);
                        assertThat(cells).as("row " + id + " exists only if the workload left it").isNotNull();
                        for (Kind k : KINDS) {
                            for (String prefix : List.of("d_", "r_")) {
                                String col = prefix + k.suffix;
                                Marker expected = cells.get(col);
                                assertThat(k.read(rs, col)).as("row " + id + " " + col + " (" + mode + ")")
                                        .isEqualTo(expected == null ? null : expected.expected());
                                checked++;
                            }
                        }
                    }
                    assertThat(seen).containsExactlyElementsOf(STORED.keySet());
                }
            }
        }
        assertThat(checked).isGreaterThan(0);
    }

    @Test
    @Order(2)
    void aDirectReadOfEveryProtectedColumnHoldsNoMarker() throws Exception {
        StringBuilder text = new StringBuilder();
        try (Connection c = pg.direct(APP); Statement s = c.createStatement()) {
            StringBuilder select = new StringBuilder("select id");
            for (Kind k : KINDS) {
                for (String p : List.of("d_", "r_")) {
                    String col = p + k.suffix;
                    select.append(", '").append(col).append(" escape=' || coalesce(encode(").append(col)
                            .append(", 'escape'), '') || ' hex=' || coalesce(encode(").append(col).append(", 'hex'), '')");
                }
            }
            try (ResultSet rs = s.executeQuery(select + ", v::text from vault v order by id")) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        text.append(rs.getString(i)).append('\n');
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("select count(*) from vault")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(STORED.size());
            }
        }
        assertNoMarker("a direct read of public.vault", text.toString());
    }

    @Test
    @Order(3)
    void pgDumpOfTheAppDatabaseHoldsNoMarker() throws Exception {
        String dump = pg.dump(APP, dir.resolve("app.sql"));
        assertThat(dump).as("the dump holds the table's data").contains("COPY public.vault").contains("\\\\x02");
        assertNoMarker("pg_dump of the app database", dump);
    }

    @Test
    @Order(4)
    void theKeyStoreAndItsAuditLogHoldNoMarker() throws Exception {
        StringBuilder audit = new StringBuilder();
        try (Connection c = pg.direct(STORE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select row_to_json(a)::text from pgseal.audit_log a order by id")) {
            while (rs.next()) {
                audit.append(rs.getString(1)).append('\n');
            }
        }
        assertThat(audit).as("the key store audited something").isNotEmpty();
        assertNoMarker("the key store's audit log", audit.toString());
        assertNoMarker("pg_dump of the key store database", pg.dump(STORE, dir.resolve("store.sql")));
    }

    @Test
    @Order(5)
    void theDataDirectoryHoldsNoMarkerString() throws Exception {
        try (Connection c = pg.direct(APP); Statement s = c.createStatement()) {
            s.execute("checkpoint");
        }
        Set<String> tokens = new LinkedHashSet<>();
        Map<String, Marker> byToken = new LinkedHashMap<>();
        for (Marker m : SENT) {
            if (m.token() != null) {
                tokens.add(m.token());
                byToken.put(m.token(), m);
            }
        }
        List<String> leaks = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(pg.dir.resolve("data"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        long bytes = 0;
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            bytes += content.length;
            Matcher matcher = TOKEN.matcher(new String(content, StandardCharsets.ISO_8859_1));
            while (matcher.find()) {
                Marker m = byToken.get(matcher.group());
                if (m != null) {
                    leaks.add(m.shape() + " → " + m.column() + " " + m.token() + " in " + pg.dir.relativize(f));
                }
            }
        }
        assertThat(bytes).isGreaterThan(1_000_000);
        assertThat(leaks).as("marker strings in the data directory (heap, indexes, WAL)").isEmpty();
    }

    @Test
    @Order(6)
    void thePostgresLogHoldsEveryStatementButNoMarker() throws Exception {
        String log = pg.logAfterSentinel();
        // The log is no empty pass: it holds the statements, their parameters and the errors.
        assertThat(log).contains("statement: insert into vault (id, label, qty, d_text")
                .contains("execute <unnamed>: insert into vault").contains("update vault set r_text")
                .contains("delete from vault where d_text").contains("select id, r_text from vault where d_text")
                .contains("on conflict (id) do update set").contains("parameters: $1 = '")
                .contains("ERROR:  duplicate key value violates unique constraint \"vault_d_text_unique\"")
                .contains("violates check constraint \"vault_qty_check\"").contains("STATEMENT:  insert into vault")
                .contains("duration: ");
        assertNoMarker("PostgreSQL's log (log_statement = 'all')", log);
    }

    // ---------------------------------------------------------------- leak search

    /** Fails with every marker found in {@code text}: where, which spelling, and which statement shape wrote it. */
    private static void assertNoMarker(String where, String text) {
        String haystack = text.toLowerCase(Locale.ROOT);
        Map<Integer, Map<String, Marker>> byLength = new TreeMap<>();
        for (Marker m : SENT) {
            for (String form : m.forms()) {
                byLength.computeIfAbsent(form.length(), x -> new LinkedHashMap<>()).put(form.toLowerCase(Locale.ROOT), m);
            }
        }
        assertThat(SENT).isNotEmpty();
        Map<String, List<String>> leaksByShape = new TreeMap<>();
        for (int i = 0; i < haystack.length(); i++) {
            for (Map.Entry<Integer, Map<String, Marker>> e : byLength.entrySet()) {
                int end = i + e.getKey();
                if (end > haystack.length()) {
                    break;
                }
                Marker m = e.getValue().get(haystack.substring(i, end));
                if (m != null) {
                    int lineStart = text.lastIndexOf('\n', i) + 1;
                    int lineEnd = text.indexOf('\n', end);
                    String line = text.substring(Math.max(lineStart, i - 120),
                            Math.min(lineEnd < 0 ? text.length() : lineEnd, end + 60));
                    leaksByShape.computeIfAbsent(m.shape(), x -> new ArrayList<>()).add(m.kind() + " " + m.column()
                            + " as '" + haystack.substring(i, end) + "' in: …" + line + "…");
                }
            }
        }
        if (!leaksByShape.isEmpty()) {
            StringBuilder report = new StringBuilder("markers found in " + where + ":\n");
            leaksByShape.forEach((shape, found) -> {
                report.append("  ").append(shape).append(": ").append(found.size()).append(" occurrence(s)\n");
                found.stream().limit(4).forEach(f -> report.append("      ").append(f).append('\n'));
            });
            throw new AssertionError(report.toString());
        }
    }

    // ---------------------------------------------------------------- the private PostgreSQL

    /**
     * A throwaway PostgreSQL cluster whose log (every statement, with all parameters, durations and
     * failing statements) goes to a file this test reads. Trust authentication on 127.0.0.1 only.
     */
    private static final class LoggingPostgres implements AutoCloseable {
        final Path dir;
        final int port;
        final Path bin;
        private final boolean root = "root".equals(System.getProperty("user.name"));

        private LoggingPostgres(Path dir, int port, Path bin) {
            this.dir = dir;
            this.port = port;
            this.bin = bin;
        }

        static LoggingPostgres start(Path bin) throws Exception {
            Path dir = Files.createTempDirectory("pgseal-atrest");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            LoggingPostgres pg = new LoggingPostgres(dir, port, bin);
            try {
                pg.initAndStart();
                return pg;
            } catch (Exception | AssertionError e) {
                ExternalCommand.run(dir.getParent(), "rm", "-rf", dir.toString());
                throw e;
            }
        }

        private void initAndStart() throws Exception {
            chown();
            Path data = dir.resolve("data");
            runAsPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
            Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
            Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                    "port = " + port,
                    "listen_addresses = '127.0.0.1'",
                    "unix_socket_directories = '" + dir + "'",
                    "max_connections = 40",
                    "shared_buffers = 16MB",
                    "fsync = off",
                    "timezone = 'UTC'",
                    "log_timezone = 'UTC'",
                    "logging_collector = off",
                    "log_line_prefix = '%m [%p] %d '",
                    "log_statement = 'all'",
                    "log_min_error_statement = error",
                    "log_min_duration_statement = 0",
                    "log_parameter_max_length = -1",
                    "log_parameter_max_length_on_error = -1", ""), java.nio.file.StandardOpenOption.APPEND);
            chown();
            runAsPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-l",
                    log().toString(), "start");
        }

        Path log() {
            return dir.resolve("postgres.log");
        }

        String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
        }

        Connection direct(String database) throws SQLException {
            return DriverManager.getConnection(jdbcUrl(database));
        }

        /** A plain-format dump with data of {@code database}, as text. */
        String dump(String database, Path file) throws Exception {
            ExternalCommand.run(dir, bin.resolve("pg_dump").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                    "-U", "postgres", "-d", database, "--format=plain", "--file=" + file);
            return Files.readString(file, StandardCharsets.UTF_8);
        }

        /** The whole log, once a statement sent after everything else has reached it. */
        String logAfterSentinel() throws Exception {
            String sentinel = "atrest_sentinel_" + System.nanoTime();
            try (Connection c = direct("postgres"); Statement s = c.createStatement()) {
                s.execute("select '" + sentinel + "'");
            }
            long deadline = System.nanoTime() + LOG_DEADLINE.toNanos();
            while (true) {
                String log = Files.readString(log(), StandardCharsets.UTF_8);
                if (log.contains(sentinel)) {
                    return log;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the log did not show " + sentinel + " within " + LOG_DEADLINE);
                }
                Thread.sleep(50);
            }
        }

        private void chown() throws Exception {
            if (root) {
                ExternalCommand.run(dir, "chown", "-R", "postgres", dir.toString());
            }
        }

        private void runAsPostgres(String... command) throws Exception {
            List<String> c = new ArrayList<>();
            if (root) {
                c.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            c.addAll(List.of(command));
            ExternalCommand.run(dir, c.toArray(String[]::new));
        }

        @Override
        public void close() throws Exception {
            try {
                runAsPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast",
                        "-w", "-t", "60", "stop");
            } finally {
                ExternalCommand.run(dir.getParent(), "rm", "-rf", dir.toString());
            }
        }
    }
}
