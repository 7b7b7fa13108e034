package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeyService;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.app.PgsealServer;
import dev.pgseal.wire.protocol.frontend.Bind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PGobject;

/**
 * Transparent column encryption end to end: an unchanged pgjdbc application (simple and extended
 * protocol, prepareThreshold 0/1/5, binary transfer, batches) and psql write and read a table whose
 * columns of every logical type are encrypted (deterministic and randomized) through a real pgseal
 * server and a real PostgreSQL. Every result equals that of a plaintext twin table queried directly;
 * what PostgreSQL stores holds no plaintext marker; refused shapes store nothing; a role that is no
 * reader sees what {@code on_unauthorized} allows.
 */
class TransparentEncryptionIT {

    private static final List<VaultSchema.Type> KINDS = VaultSchema.TYPES;

    private static final String SUFFIX = Long.toString(System.nanoTime() % 2_000_000_000L, 36);
    private static final String READER = "enc_reader_" + SUFFIX;
    private static final String OUTSIDER = "enc_outsider_" + SUFFIX;

    /** How a client talks to PostgreSQL. */
    enum Mode {
        SIMPLE("preferQueryMode=simple"),
        EXTENDED_THRESHOLD_0("prepareThreshold=0"),
        EXTENDED_THRESHOLD_1("prepareThreshold=1"),
        EXTENDED_THRESHOLD_5("prepareThreshold=5"),
        EXTENDED_TEXT_ONLY("prepareThreshold=1", "binaryTransfer=false"),
        BATCH_REWRITTEN("reWriteBatchedInserts=true");

        final String[] settings;

        Mode(String... settings) {
            this.settings = settings;
        }

        void apply(Properties p) {
            for (String s : settings) {
                int eq = s.indexOf('=');
                p.setProperty(s.substring(0, eq), s.substring(eq + 1));
            }
        }
    }

    @TempDir
    static Path dir;

    private static String database;
    private static PgsealServer server;
    private static List<String> columns = new ArrayList<>();
    /** The policy the server started with (a test that reloads another one restores it). */
    private static String policyYaml;

    @BeforeAll
    static void start() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        database = pg.createDatabase("transparent");
        String storeDatabase = pg.createDatabase("transparent_store");
        columns.addAll(VaultSchema.vaultColumns());
        policyYaml = VaultSchema.policyYaml(database, READER, true);
        Path policyFile = Files.writeString(dir.resolve("policy.yaml"), policyYaml);
        Policy policy = PolicyLoader.load(policyFile).orElseThrow();
        try (Connection c = pg.connect(database)) {
            VaultSchema.create(c, policy, READER, OUTSIDER, true);
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


    private static Connection proxy(Mode mode) throws SQLException {
        return connect("127.0.0.1", server.port(), mode, PostgresFixture.get().user());
    }

    private static Connection direct(Mode mode) throws SQLException {
        PostgresFixture pg = PostgresFixture.get();
        return connect(pg.host(), pg.port(), mode, pg.user());
    }

    private static Connection connect(String host, int port, Mode mode, String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (PostgresFixture.get().password() != null && user.equals(PostgresFixture.get().user())) {
            p.setProperty("password", PostgresFixture.get().password());
        }
        mode.apply(p);
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    // ---------------------------------------------------------------- the workload

    /** Binds row {@code n}'s values (a marker in every text) as an application would. */
    private static void bindRow(PreparedStatement ps, long n) throws SQLException {
        int i = 1;
        ps.setLong(i++, n);
        ps.setString(i++, "row " + n);
        for (int rep = 0; rep < 2; rep++) {
            ps.setString(i++, n % 5 == 4 ? null : "marker text " + n + " ünï");
            ps.setString(i++, "marker vc " + (n % 3));
            ps.setString(i++, "marker" + n);
            ps.setShort(i++, (short) (n - 100));
            ps.setInt(i++, (int) (n * 1000));
            ps.setLong(i++, -n * 10_000_000_000L);
            // Known difference: a deterministic numeric drops trailing zeros (123.4560 reads back as 123.456).
            ps.setBigDecimal(i++, new BigDecimal("12345.6789").add(BigDecimal.valueOf(n)));
            ps.setDouble(i++, n + 0.25);
            ps.setBoolean(i++, n % 2 == 0);
            ps.setObject(i++, LocalDate.of(2020, 1, 1).plusDays(n));
            ps.setObject(i++, LocalDateTime.of(2021, 6, 1, 12, 30, 15, 123_456_000).plusHours(n));
            ps.setObject(i++, OffsetDateTime.of(2022, 3, 4, 5, 6, 7, 0, ZoneOffset.ofHours(2)).plusMinutes(n));
            ps.setObject(i++, new UUID(n, n * 31));
            ps.setBytes(i++, ("marker bytes " + n).getBytes(StandardCharsets.UTF_8));
            PGobject json = new PGobject();
            json.setType("jsonb");
            json.setValue("{\"marker\": " + n + ", \"a\": [1, 2]}");
            ps.setObject(i++, json);
        }
    }

    private static String insertSql(String table) {
        StringBuilder sb = new StringBuilder("insert into " + table + " (id, label");
        StringBuilder values = new StringBuilder("values (?, ?");
        for (int rep = 0; rep < 2; rep++) {
            for (VaultSchema.Type k : KINDS) {
                sb.append(", ").append(rep == 0 ? "d_" : "r_").append(k.suffix());
                values.append(", ?");
            }
        }
        return sb.append(") ").append(values).append(")").toString();
    }

    /** Inserts rows 1..n into the protected table through pgseal and into the twin directly. */
    private static void insertRows(Mode mode, int n, boolean batch) throws SQLException {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            for (Connection c : List.of(p, d)) {
                try (PreparedStatement ps = c.prepareStatement(insertSql(c == p ? "vault" : "twin"))) {
                    for (long row = 1; row <= n; row++) {
                        bindRow(ps, row);
                        if (batch) {
                            ps.addBatch();
                        } else {
                            assertThat(ps.executeUpdate()).isEqualTo(1);
                        }
                    }
                    if (batch) {
                        ps.executeBatch();
                    }
                }
            }
        }
    }

    /** Every row of a query as text, per pgjdbc's reading of each column. */
    private static List<List<String>> rows(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs);
            }
        }
    }

    private static List<List<String>> read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<List<String>> out = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                Object value = rs.getObject(i);
                // pgjdbc's getString of a binary bytea is not its text form: compare the bytes.
                String text = value instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b)
                        : rs.getString(i);
                row.add(md.getColumnName(i) + "=" + text);
            }
            out.add(row);
        }
        return out;
    }

    /** The same query through pgseal on the protected table and directly on the twin, several times (prepareThreshold). */
    private static void assertSameAsTwin(Mode mode, String sql, Object... params) throws SQLException {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            for (int round = 0; round < 6; round++) {
                List<List<String>> expected = rows(d, sql.replace("vault", "twin"), params);
                List<List<String>> actual = rows(p, sql, params);
                assertThat(actual).as(sql + " (" + mode + ", execution " + round + ")").isEqualTo(expected);
            }
        }
    }

    private static void assertStoredAsEnvelopesOnly() throws SQLException {
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement()) {
            for (String col : columns) {
                try (ResultSet rs = s.executeQuery("select count(*) filter (where " + col + " is not null "
                        + "and (encode(" + col + ", 'escape') like '%marker%' or get_byte(" + col + ", 0) <> 2)), "
                        + "count(" + col + ") from vault")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("plaintext or non-envelope in " + col).isZero();
                }
            }
        }
    }

    // ---------------------------------------------------------------- the cases

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void everyTypeRoundTripsAndEqualsTheTwin(Mode mode) throws Exception {
        insertRows(mode, 7, mode == Mode.BATCH_REWRITTEN);
        assertSameAsTwin(mode, "select * from vault order by id");
        assertSameAsTwin(mode, "select id, d_text as t, r_numeric, r_tstz, r_jsonb from vault where id > ? order by id",
                2L);
        assertStoredAsEnvelopesOnly();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void equalityLookupsByDeterministicColumnsWithParametersAndLiterals(Mode mode) throws Exception {
        insertRows(mode, 6, false);
        assertSameAsTwin(mode, "select id, r_text from vault where d_text = ? order by id", "marker text 3 ünï");
        assertSameAsTwin(mode, "select id from vault where d_varchar = ? order by id", "marker vc 1");
        assertSameAsTwin(mode, "select id from vault where d_int4 = ? order by id", 4000);
        assertSameAsTwin(mode, "select id from vault where d_uuid = ? order by id", new UUID(2, 62));
        assertSameAsTwin(mode, "select id from vault where d_date = ? order by id", LocalDate.of(2020, 1, 6));
        assertSameAsTwin(mode, "select id, r_int8 from vault where d_text = 'marker text 2 ünï' order by id");
        assertSameAsTwin(mode, "select id from vault where d_int8 in (-10000000000, -30000000000) order by id");
        assertSameAsTwin(mode, "select id from vault where d_bool = true and d_varchar <> 'marker vc 0' order by id");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void updatesAndDeletesByDeterministicColumns(Mode mode) throws Exception {
        insertRows(mode, 6, false);
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            for (Connection c : List.of(p, d)) {
                String table = c == p ? "vault" : "twin";
                try (PreparedStatement ps = c.prepareStatement("update " + table
                        + " set r_text = ?, d_int4 = ?, r_float8 = null where d_text = ?")) {
                    ps.setString(1, "marker updated");
                    ps.setInt(2, 42);
                    ps.setString(3, "marker text 2 ünï");
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                try (Statement s = c.createStatement()) {
                    assertThat(s.executeUpdate("update " + table + " set r_varchar = 'marker lit' where d_int4 = 3000"))
                            .isEqualTo(1);
                    assertThat(s.executeUpdate("delete from " + table + " where d_char = 'marker5'")).isEqualTo(1);
                }
                try (PreparedStatement ps = c.prepareStatement("delete from " + table + " where d_int2 = ?")) {
                    ps.setShort(1, (short) -99);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
            }
        }
        assertSameAsTwin(mode, "select * from vault order by id");
        assertStoredAsEnvelopesOnly();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void returningAndOnConflict(Mode mode) throws Exception {
        insertRows(mode, 2, false);
        List<List<List<String>>> results = new ArrayList<>();
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            for (Connection c : List.of(p, d)) {
                String table = c == p ? "vault" : "twin";
                List<List<String>> got = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("insert into " + table + " (id, d_text, r_int4) values "
                        + "(?, ?, ?) on conflict (id) do update set r_int4 = excluded.r_int4, d_text = excluded.d_text "
                        + "returning id, d_text, r_int4")) {
                    for (long id : new long[] {2, 3}) {
                        ps.setLong(1, id);
                        ps.setString(2, "marker upsert " + id);
                        ps.setInt(3, 77);
                        try (ResultSet rs = ps.executeQuery()) {
                            got.addAll(read(rs));
                        }
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("insert into " + table + " (id, r_text) values (1, 'marker x') on conflict do nothing");
                }
                try (PreparedStatement ps = c.prepareStatement("insert into " + table + " (id, d_text) values (?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setLong(1, 10);
                    ps.setString(2, "marker generated");
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        got.addAll(read(keys));
                    }
                }
                results.add(got);
            }
        }
        assertThat(results.get(0)).isEqualTo(results.get(1));
        assertSameAsTwin(mode, "select * from vault order by id");
        assertStoredAsEnvelopesOnly();
    }

    @Test
    void batchesWithAndWithoutRewriting() throws Exception {
        insertRows(Mode.EXTENDED_THRESHOLD_5, 12, true);
        assertSameAsTwin(Mode.EXTENDED_THRESHOLD_5, "select * from vault order by id");
        emptyTables();
        insertRows(Mode.BATCH_REWRITTEN, 12, true);
        assertSameAsTwin(Mode.BATCH_REWRITTEN, "select * from vault order by id");
        assertStoredAsEnvelopesOnly();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1"})
    void refusedShapesFailWith0A000AndStoreNothing(Mode mode) throws Exception {
        try (Connection p = proxy(mode); Statement s = p.createStatement()) {
            for (String sql : List.of(
                    "select id from vault where r_text = 'marker'",
                    "select id from vault where d_text like 'marker%'",
                    "select id from vault order by d_text",
                    "insert into vault (id, d_text) values (99, upper('marker'))",
                    "update vault set d_int4 = d_int4 + 1")) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
            }
        }
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from vault")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"EXTENDED_THRESHOLD_0", "EXTENDED_THRESHOLD_1"})
    void invalidBindValuesFailWithPostgresErrorCodesAndAbortTheTransaction(Mode mode) throws Exception {
        try (Connection p = proxy(mode)) {
            p.setAutoCommit(false);
            try (PreparedStatement ps = p.prepareStatement("insert into vault (id, d_int4) values (?, ?)")) {
                ps.setLong(1, 1);
                ps.setObject(2, "marker-not-a-number", Types.OTHER);
                assertThatThrownBy(ps::executeUpdate).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("22P02");
                    assertThat(e.getMessage()).doesNotContain("marker");
                });
            }
            try (Statement s = p.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery("select 1")).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            }
            p.rollback();
            try (PreparedStatement ps = p.prepareStatement("insert into vault (id, d_int2) values (?, ?)")) {
                ps.setLong(1, 2);
                ps.setInt(2, 100_000);
                assertThatThrownBy(ps::executeUpdate).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("22003"));
            }
            p.rollback();
            try (PreparedStatement ps = p.prepareStatement("insert into vault (id, d_int4) values (?, ?)")) {
                ps.setLong(1, 3);
                ps.setBoolean(2, true);
                assertThatThrownBy(ps::executeUpdate).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("42804"));
            }
            p.rollback();
            // The session still works afterwards.
            try (PreparedStatement ps = p.prepareStatement("insert into vault (id, d_int4) values (?, ?)")) {
                ps.setLong(1, 4);
                ps.setInt(2, 4);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            p.commit();
        }
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select array_agg(id order by id)::text from vault")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("{4}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1", "EXTENDED_THRESHOLD_5"})
    void aRoleThatIsNoReaderSeesWhatOnUnauthorizedAllows(Mode mode) throws Exception {
        try (Connection r = connect("127.0.0.1", server.port(), mode, READER);
             PreparedStatement ps = r.prepareStatement("insert into people values (?, ?, ?, ?)")) {
            ps.setLong(1, 1);
            ps.setString(2, "123-45-6789");
            ps.setString(3, "marker diagnosis");
            ps.setString(4, "555-0199");
            ps.executeUpdate();
        }
        try (Connection r = connect("127.0.0.1", server.port(), mode, READER)) {
            assertThat(rows(r, "select ssn, diagnosis, phone from people where ssn = ?", "123-45-6789"))
                    .containsExactly(List.of("ssn=123-45-6789", "diagnosis=marker diagnosis", "phone=555-0199"));
        }
        try (Connection o = connect("127.0.0.1", server.port(), mode, OUTSIDER)) {
            for (int round = 0; round < 6; round++) {
                List<List<String>> got = rows(o, "select ssn, diagnosis, phone from people where id = ?", 1L);
                assertThat(got).hasSize(1);
                assertThat(got.get(0).get(0)).startsWith("ssn=\\x02");
                assertThat(got.get(0).get(1)).isEqualTo("diagnosis=null");
                assertThat(got.get(0).get(2)).isEqualTo("phone=***99");
            }
            try (PreparedStatement ps = o.prepareStatement("insert into people (id, ssn) values (?, ?)")) {
                ps.setLong(1, 2);
                ps.setString(2, "marker");
                assertThatThrownBy(ps::executeUpdate).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            }
        }
    }

    // ---------------------------------------------------------------- error paths

    @Test
    void aValueThatIsNotAValidEnvelopeEndsTheSessionWithXX001NamingTheColumn() throws Exception {
        insertRows(Mode.EXTENDED_THRESHOLD_1, 3, false);
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement()) {
            // Flip the last byte (inside the authentication tag): the header still passes the CHECK constraint.
            s.execute("update vault set r_text = set_byte(r_text, length(r_text) - 1, "
                    + "get_byte(r_text, length(r_text) - 1) # 1) where id = 2");
        }
        for (Mode mode : List.of(Mode.SIMPLE, Mode.EXTENDED_THRESHOLD_1)) {
            try (Connection p = proxy(mode)) {
                assertThatThrownBy(() -> rows(p, "select id, r_text from vault order by id"))
                        .as(mode.name()).isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("XX001");
                            assertThat(e.getMessage()).contains("public.vault.r_text");
                        });
                assertThat(p.isValid(2)).isFalse();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1", "EXTENDED_TEXT_ONLY"})
    void rowsWhoseKeyWasEvictedWaitForItAndThenDecrypt(Mode mode) throws Exception {
        insertRows(mode, 40, true);
        server.keys().orElseThrow().invalidateCache();
        assertSameAsTwin(mode, "select * from vault order by id");
        // Evicted in the middle of a result read in chunks (a portal executed several times).
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            p.setAutoCommit(false);
            d.setAutoCommit(false);
            List<List<String>> expected = rows(d, "select * from twin order by id");
            List<List<String>> actual = new ArrayList<>();
            try (PreparedStatement ps = p.prepareStatement("select * from vault order by id")) {
                ps.setFetchSize(5);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    int n = 0;
                    while (rs.next()) {
                        if (++n == 12) {
                            server.keys().orElseThrow().invalidateCache();
                        }
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object value = rs.getObject(i);
                            row.add(md.getColumnName(i) + "=" + (value instanceof byte[] b
                                    ? "\\x" + java.util.HexFormat.of().formatHex(b) : rs.getString(i)));
                        }
                        actual.add(row);
                    }
                }
            }
            assertThat(actual).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"EXTENDED_THRESHOLD_0", "EXTENDED_THRESHOLD_1", "EXTENDED_THRESHOLD_5"})
    void onUnauthorizedErrorRefusesTheStatementBeforeItRuns(Mode mode) throws Exception {
        try (Connection r = connect("127.0.0.1", server.port(), mode, READER); Statement s = r.createStatement()) {
            s.executeUpdate("insert into people (id, notes) values (1, 'marker note')");
            assertThat(rows(r, "select notes from people where id = ?", 1L)).containsExactly(List.of("notes=marker note"));
        }
        try (Connection o = connect("127.0.0.1", server.port(), mode, OUTSIDER)) {
            o.setAutoCommit(false);
            for (int round = 0; round < 6; round++) {
                assertThatThrownBy(() -> rows(o, "select id, notes from people where id = ?", 1L))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("42501");
                            assertThat(e.getMessage()).contains("public.people.notes");
                        });
                // An ordinary error: the transaction is aborted, the session goes on.
                assertThatThrownBy(() -> rows(o, "select 1")).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
                o.rollback();
            }
            assertThat(rows(o, "select id from people")).containsExactly(List.of("id=1"));
            o.commit();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"statement", "portal"})
    void pgsealsOwnStatementAndPortalNamesAreRefusedToClients(String which) throws Exception {
        io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
        String statement = which.equals("statement") ? "pgseal_role_probe" : "s1";
        String portal = which.equals("portal") ? "pgseal_role_probe" : "";
        try (RawClient c = new RawClient(server.port())) {
            c.startup(PostgresFixture.get().user(), database);
            c.readUntilReady();
            for (io.netty.buffer.ByteBuf frame : List.of(
                    new dev.pgseal.wire.protocol.frontend.Parse(statement, "select 1", new int[0]).encode(alloc),
                    new Bind(portal, statement, new short[0], new byte[0][], new short[0]).encode(alloc),
                    new dev.pgseal.wire.protocol.frontend.Execute(portal, 0).encode(alloc),
                    dev.pgseal.wire.protocol.frontend.Sync.INSTANCE.encode(alloc))) {
                byte[] bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
                frame.release();
                c.send(bytes);
            }
            List<RawClient.Message> answers = c.readUntilReady();
            assertThat(answers).filteredOn(m -> m.type() == 'E').singleElement().satisfies(e -> {
                assertThat(e.field('C')).isEqualTo("42939");
                assertThat(e.field('M')).contains("pgseal_role_probe").contains("reserved");
            });
        }
    }

    @Test
    void aPreparedEqualitySearchKeepsAGenericPlanInPostgres() throws Exception {
        try (Connection c = proxy(Mode.EXTENDED_THRESHOLD_1);
                PreparedStatement ps = c.prepareStatement("select id from vault where d_text = ?")) {
            for (int i = 0; i < 8; i++) {
                ps.setString(1, "marker generic " + i);
                ps.executeQuery().close();
            }
            List<List<String>> plans = rows(c, "select generic_plans > 0 as generic from pg_prepared_statements "
                    + "where statement like '%d_text = ANY(ARRAY[$1::bytea, $_::bytea])%' "
                    + "and statement not like '%pg_prepared_statements%'");
            assertThat(plans).as("the statement as pgseal prepared it, planned once by PostgreSQL")
                    .containsExactly(List.of("generic=t"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_0", "EXTENDED_THRESHOLD_1"})
    void equalitySearchFindsRowsUnderEveryLiveVersionWhileTheRingRotates(Mode mode) throws Exception {
        KeyService keys = server.keys().orElseThrow();
        String tag = mode.name().toLowerCase(java.util.Locale.ROOT);
        try (Connection r = connect("127.0.0.1", server.port(), mode, READER);
                PreparedStatement insert = r.prepareStatement("insert into people (id, ssn) values (?, ?)");
                PreparedStatement find = r.prepareStatement("select id from people where ssn = ?")) {
            // Prepared (and, in extended mode, named on the server) before the ring gains versions.
            for (int i = 0; i < 3; i++) {
                find.setString(1, "none " + tag);
                assertThat(find.executeQuery().next()).isFalse();
            }
            for (int v = 1; v <= 3; v++) {
                insert.setLong(1, v);
                insert.setString(2, "rot " + tag + " " + v);
                insert.executeUpdate();
                if (v < 3) {
                    keys.rotate("people", "test-rotation");
                }
            }
            for (int v = 1; v <= 3; v++) {
                for (int repeat = 0; repeat < 2; repeat++) {
                    find.setString(1, "rot " + tag + " " + v);
                    List<List<String>> found = read(find.executeQuery());
                    assertThat(found).as("row written under the ring's version of round %d", v)
                            .containsExactly(List.of("id=" + v));
                }
            }
        }
        try (Connection d = PostgresFixture.get().connect(database); Statement s = d.createStatement();
                ResultSet rs = s.executeQuery("select count(distinct substr(ssn, 3, 8)) from people")) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows stored under three key versions").isEqualTo(3);
        }
    }

    @Test
    void thePlanCacheCountsHitsAndMissesInTheMetrics() throws Exception {
        double hits = planCacheRequests("hit");
        double misses = planCacheRequests("miss");
        String sql = "select id from vault where d_text = 'marker plan cache " + System.nanoTime() + "'";
        try (Connection c = proxy(Mode.SIMPLE); Statement s = c.createStatement()) {
            s.executeQuery(sql).close();
            s.executeQuery(sql).close();
        }
        assertThat(planCacheRequests("miss")).isGreaterThanOrEqualTo(misses + 1);
        assertThat(planCacheRequests("hit")).isGreaterThanOrEqualTo(hits + 1);
    }

    private static double planCacheRequests(String result) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.adminPort()
                        + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^pgseal_plan_cache_requests_total\\{result=\""
                + result + "\"\\} (\\S+)$").matcher(r.body());
        assertThat(m.find()).as("pgseal_plan_cache_requests_total in:%n%s", r.body()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void onUnauthorizedErrorInASimpleQueryRefusesTheStatementBeforeItRuns() throws Exception {
        try (Connection r = connect("127.0.0.1", server.port(), Mode.SIMPLE, READER); Statement s = r.createStatement()) {
            s.executeUpdate("insert into people (id, notes) values (1, 'marker note')");
        }
        try (Connection o = connect("127.0.0.1", server.port(), Mode.SIMPLE, OUTSIDER)) {
            for (String sql : List.of("select notes from people where id = 2", "select * from people",
                    "with x as (select id, notes as n from people) select p.id, x.n from people p join x using (id)",
                    "delete from people where id = 42 returning notes")) {
                assertThatThrownBy(() -> rows(o, sql)).as(sql).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("42501");
                    assertThat(e.getMessage()).contains("public.people.notes").doesNotContain("marker");
                });
                // Refused before it ran: the session goes on.
                assertThat(rows(o, "select count(*) from people")).containsExactly(List.of("count=1"));
            }
        }
    }

    @Test
    void onUnauthorizedErrorOnARowThePlannerCouldNotForeseeEndsTheSession() throws Exception {
        try (Connection r = connect("127.0.0.1", server.port(), Mode.SIMPLE, READER); Statement s = r.createStatement()) {
            s.executeUpdate("insert into people (id, notes) values (1, 'marker note')");
        }
        try (Connection o = connect("127.0.0.1", server.port(), Mode.SIMPLE, OUTSIDER)) {
            // pg_namespace's columns are not in pgseal's catalog facts: the result's shape is known
            // only from RowDescription, after PostgreSQL ran the statement.
            assertThatThrownBy(() -> rows(o, "select * from people, pg_namespace limit 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("public.people.notes").doesNotContain("marker");
                    });
            assertThat(o.isValid(2)).as("the session ends").isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1"})
    void aUniqueViolationShowsTheValueToAReaderAndAPlaceholderToOthers(Mode mode) throws Exception {
        try (Connection r = connect("127.0.0.1", server.port(), mode, READER);
             Connection o = connect("127.0.0.1", server.port(), mode, OUTSIDER)) {
            try (PreparedStatement ps = r.prepareStatement("insert into people (id, email) values (?, ?)")) {
                ps.setLong(1, 1);
                ps.setString(2, "marker@example.com");
                ps.executeUpdate();
            }
            for (Connection c : List.of(r, o)) {
                try (PreparedStatement ps = c.prepareStatement("insert into people (id, email) values (?, ?)")) {
                    ps.setLong(1, c == r ? 2 : 3);
                    ps.setString(2, "marker@example.com");
                    assertThatThrownBy(ps::executeUpdate).isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("23505");
                        String detail = ((org.postgresql.util.PSQLException) e).getServerErrorMessage().getDetail();
                        assertThat(detail).isEqualTo(c == r ? "Key (email)=(marker@example.com) already exists."
                                : "Key (email)=(<encrypted>) already exists.");
                        assertThat(e.getMessage()).doesNotContain("\\x02");
                    });
                }
                try (Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.executeUpdate("insert into people (id, email) values (4, "
                            + "'marker@example.com')")).isInstanceOfSatisfying(SQLException.class, e -> {
                                assertThat(e.getSQLState()).isEqualTo("23505");
                                assertThat(e.getMessage()).doesNotContain("\\x02");
                            });
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1"})
    void errorPositionsPointIntoTheClientsText(Mode mode) throws Exception {
        for (String sql : List.of(
                "select id from vault where d_text = 'marker position' and nosuchcolumn = 1",
                "select id from vault where d_text = 'marker position' and id = 'not a number'",
                // Characters beyond the BMP before, inside and after the rewritten literal: PostgreSQL counts each once.
                "select '\uD83D\uDE00' as e, id from vault where d_text = 'marker \uD83D\uDE00 position' "
                        + "and label = '\uD83D\uDE00' and nosuchcolumn = 1",
                "insert into vault (id, d_text, r_text) values (1, 'marker p', 'marker q'), ('x', 'marker r', 'marker s')")) {
            int expected = position(direct(mode), sql);
            int actual = position(proxy(mode), sql);
            assertThat(expected).as(sql).isPositive();
            assertThat(actual).as(sql).isEqualTo(expected);
        }
    }

    /** The error position PostgreSQL (or pgseal) reports for {@code sql}; the connection is closed. */
    private static int position(Connection c, String sql) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (org.postgresql.util.PSQLException e) {
            return e.getServerErrorMessage().getPosition();
        }
        throw new AssertionError("no error for " + sql);
    }

    // ---------------------------------------------------------------- roles, pipelines, reloads

    private static void insertPerson(Mode mode) throws SQLException {
        try (Connection r = connect("127.0.0.1", server.port(), mode, READER);
             PreparedStatement ps = r.prepareStatement("insert into people (id, ssn, diagnosis, phone) values (?, ?, ?, ?)")) {
            ps.setLong(1, 1);
            ps.setString(2, "123-45-6789");
            ps.setString(3, "marker diagnosis");
            ps.setString(4, "555-0199");
            ps.executeUpdate();
        }
    }

    private static final List<String> PLAIN = List.of("ssn=123-45-6789", "diagnosis=marker diagnosis", "phone=555-0199");

    private static void assertOutsiderView(List<List<String>> got) {
        assertThat(got).hasSize(1);
        assertThat(got.get(0).get(0)).startsWith("ssn=\\x02");
        assertThat(got.get(0).subList(1, 3)).containsExactly("diagnosis=null", "phone=***99");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1", "EXTENDED_THRESHOLD_5"})
    void accessFollowsSetRoleResetRoleAndRolledBackTransactions(Mode mode) throws Exception {
        insertPerson(mode);
        String select = "select ssn, diagnosis, phone from people where id = ?";
        try (Connection p = proxy(mode); Statement s = p.createStatement()) {
            for (int round = 0; round < 3; round++) {
                assertThat(rows(p, select, 1L)).containsExactly(PLAIN);
                s.execute("set role " + OUTSIDER);
                assertOutsiderView(rows(p, select, 1L));
                s.execute("reset role");
                assertThat(rows(p, select, 1L)).containsExactly(PLAIN);
                s.execute("set session authorization " + OUTSIDER);
                assertOutsiderView(rows(p, select, 1L));
                s.execute("reset session authorization");
                assertThat(rows(p, select, 1L)).containsExactly(PLAIN);
            }
            p.setAutoCommit(false);
            s.execute("set role " + OUTSIDER);
            assertOutsiderView(rows(p, select, 1L));
            p.rollback();
            assertThat(rows(p, select, 1L)).containsExactly(PLAIN);
            s.execute("set local role " + OUTSIDER);
            assertOutsiderView(rows(p, select, 1L));
            p.commit();
            assertThat(rows(p, select, 1L)).containsExactly(PLAIN);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"SIMPLE", "EXTENDED_THRESHOLD_1"})
    void pipelinedStatementsWithNonAsciiLiteralsAreServed(Mode mode) throws Exception {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            for (Connection c : List.of(p, d)) {
                String table = c == p ? "vault" : "twin";
                try (Statement s = c.createStatement()) {
                    s.addBatch("insert into " + table + " (id, d_text, r_varchar) values (1, 'marker ünï', 'çà marker')");
                    s.addBatch("insert into " + table + " (id, d_text, r_varchar) values (2, 'marker 東京', 'ß marker')");
                    s.addBatch("update " + table + " set r_text = 'marker €' where d_text = 'marker ünï'");
                    s.executeBatch();
                }
            }
        }
        assertSameAsTwin(mode, "select id, d_text, r_varchar, r_text from vault order by id");
        assertStoredAsEnvelopesOnly();
    }

    @Test
    void aPolicyReloadReachesAnOpenSessionAtItsNextStatement() throws Exception {
        insertPerson(Mode.EXTENDED_THRESHOLD_1);
        String select = "select ssn, diagnosis, phone from people where id = ?";
        Path file = dir.resolve("policy.yaml");
        try (Connection o = connect("127.0.0.1", server.port(), Mode.EXTENDED_THRESHOLD_1, OUTSIDER)) {
            assertOutsiderView(rows(o, select, 1L));
            int at = policyYaml.indexOf("readers: [" + READER + "]", policyYaml.indexOf("name: diagnosis"));
            String wider = policyYaml.substring(0, at) + "readers: [" + READER + ", " + OUTSIDER + "]"
                    + policyYaml.substring(at + ("readers: [" + READER + "]").length());
            assertThat(wider).isNotEqualTo(policyYaml);
            Files.writeString(file, wider);
            assertThat(server.reloadPolicy()).isTrue();
            List<List<String>> got = rows(o, select, 1L);
            assertThat(got.get(0).get(1)).isEqualTo("diagnosis=marker diagnosis");
            assertThat(got.get(0).get(2)).isEqualTo("phone=***99");
        } finally {
            Files.writeString(file, policyYaml);
            assertThat(server.reloadPolicy()).isTrue();
        }
    }

    @Test
    void psqlInsertsAndSelectsPlaintext() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String out = psql(pg, "insert into vault (id, d_text, r_int4, r_date) values (1, 'marker psql', 42, '2024-02-29');"
                + "select d_text, r_int4, r_date from vault where d_text = 'marker psql';");
        assertThat(out).contains("INSERT 0 1").contains("marker psql|42|2024-02-29");
        assertStoredAsEnvelopesOnly();
    }

    private static String psql(PostgresFixture pg, String sql) throws Exception {
        ProcessBuilder b = new ProcessBuilder("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", Integer.toString(server.port()), "-U", pg.user(), "-d", database, "-c", sql.split(";")[0],
                "-c", sql.split(";")[1]);
        b.redirectErrorStream(true);
        if (pg.password() != null) {
            b.environment().put("PGPASSWORD", pg.password());
        }
        Process p = b.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
