package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.EnvelopeConstraint;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.app.PgsealServer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Equality groups and numeric scale through a real pgseal server and a real PostgreSQL:
 * {@code patients.ssn} and {@code claims.ssn} are in equality group {@code ssn}, so a join on them
 * through pgseal returns what the same join returns over plaintext twin tables queried directly,
 * PostgreSQL stores equal ciphertexts for equal plaintexts in both columns, and {@code INSERT ...
 * SELECT} copies between them. Comparisons and copies outside the group are refused with
 * {@code 0A000} and change nothing. A randomized {@code numeric} keeps its scale ({@code 1.50}).
 */
class EqualityGroupIT {

    /** How a client talks to PostgreSQL. */
    enum Mode {
        SIMPLE("preferQueryMode=simple"),
        EXTENDED_TEXT("prepareThreshold=0", "binaryTransfer=false"),
        EXTENDED_BINARY("prepareThreshold=-1", "binaryTransferEnable=NUMERIC");

        final String[] settings;

        Mode(String... settings) {
            this.settings = settings;
        }
    }

    @TempDir
    static Path dir;

    private static String database;
    private static PgsealServer server;

    @BeforeAll
    static void start() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        database = pg.createDatabase("eqgroup");
        String storeDatabase = pg.createDatabase("eqgroup_store");
        String yaml = """
                version: 1
                databases: [%s]
                keys:
                  - name: people
                  - name: money
                tables:
                  - name: public.patients
                    primary_key: id
                    columns:
                      - name: ssn
                        type: text
                        encryption: deterministic
                        key: people
                        readers: "*"
                        equality_group: ssn
                      - name: alt_ssn
                        type: text
                        encryption: deterministic
                        key: people
                        readers: "*"
                  - name: public.claims
                    primary_key: id
                    columns:
                      - name: ssn
                        type: text
                        encryption: deterministic
                        key: people
                        readers: "*"
                        equality_group: ssn
                      - name: amount
                        type: numeric
                        encryption: randomized
                        key: money
                        readers: "*"
                      - name: exact_amount
                        type: numeric
                        encryption: deterministic
                        key: money
                        readers: "*"
                """.formatted(database);
        Path policyFile = Files.writeString(dir.resolve("policy.yaml"), yaml);
        Policy policy = PolicyLoader.load(policyFile).orElseThrow();
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("create table patients (id int8 primary key, name text, ssn bytea, alt_ssn bytea)");
            s.execute("create table claims (id int8 primary key, ssn bytea, amount bytea, exact_amount bytea)");
            s.execute("create table patients_plain (id int8 primary key, name text, ssn text, alt_ssn text)");
            s.execute("create table claims_plain (id int8 primary key, ssn text, amount numeric, exact_amount numeric)");
            for (TablePolicy t : policy.tables()) {
                for (ColumnPolicy col : t.columns()) {
                    s.execute(EnvelopeConstraint.addStatement(t.name(), col));
                }
            }
        }
        server = PgsealServer.start(ServerUnderPolicy.config(dir, policyFile, storeDatabase));
    }

    @AfterAll
    static void stop() throws SQLException {
        if (server != null) {
            server.close();
        }
        try (Connection c = PostgresFixture.get().connect(); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
        }
    }

    @BeforeEach
    void emptyTables() throws SQLException {
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement()) {
            s.execute("truncate patients, claims, patients_plain, claims_plain");
        }
    }

    private static Connection proxy(Mode mode) throws SQLException {
        return connect("127.0.0.1", server.port(), mode);
    }

    private static Connection direct(Mode mode) throws SQLException {
        return connect(PostgresFixture.get().host(), PostgresFixture.get().port(), mode);
    }

    private static Connection connect(String host, int port, Mode mode) throws SQLException {
        PostgresFixture pg = PostgresFixture.get();
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        if (pg.password() != null) {
            p.setProperty("password", pg.password());
        }
        for (String s : mode.settings) {
            int eq = s.indexOf('=');
            p.setProperty(s.substring(0, eq), s.substring(eq + 1));
        }
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    /** Patients 1-3 and claims 10-13 (two for patient 1, one for 3, one matching nobody). */
    private static void insertRows(Connection c, String suffix) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into patients" + suffix
                + " (id, name, ssn, alt_ssn) values (?, ?, ?, ?)")) {
            Object[][] rows = {{1L, "ann", "111-11-1111"}, {2L, "bob", "222-22-2222"}, {3L, "cy", "333-33-3333"}};
            for (Object[] r : rows) {
                ps.setLong(1, (Long) r[0]);
                ps.setString(2, (String) r[1]);
                ps.setString(3, (String) r[2]);
                ps.setString(4, (String) r[2]);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("insert into claims" + suffix
                + " (id, ssn, amount, exact_amount) values (?, ?, ?, ?)")) {
            Object[][] rows = {{10L, "111-11-1111", "1.50"}, {11L, "111-11-1111", "20.00"}, {12L, "333-33-3333", "7"},
                    {13L, "999-99-9999", "0.10"}};
            for (Object[] r : rows) {
                ps.setLong(1, (Long) r[0]);
                ps.setString(2, (String) r[1]);
                ps.setBigDecimal(3, new BigDecimal((String) r[2]));
                ps.setBigDecimal(4, new BigDecimal((String) r[2]));
                ps.executeUpdate();
            }
        }
    }

    private static List<List<String>> rows(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<List<String>> out = new ArrayList<>();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.add(md.getColumnLabel(i) + "=" + rs.getString(i));
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    /** The same query through pgseal on the protected tables and directly on the plaintext twins. */
    private static List<List<String>> assertSameAsTwins(Mode mode, String sql, Object... params) throws SQLException {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            List<List<String>> viaPgseal = rows(p, sql, params);
            List<List<String>> plain = rows(d, sql.replace("patients", "patients_plain")
                    .replace("claims", "claims_plain"), params);
            assertThat(viaPgseal).isEqualTo(plain);
            return viaPgseal;
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aJoinOnTwoColumnsOfOneGroupReturnsWhatTheJoinOverPlaintextReturns(Mode mode) throws SQLException {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            insertRows(p, "");
            insertRows(d, "_plain");
        }
        List<List<String>> joined = assertSameAsTwins(mode, "select p.id as patient, p.name, c.id as claim, c.ssn"
                + " from patients p join claims c on p.ssn = c.ssn order by c.id");
        assertThat(joined).containsExactly(
                List.of("patient=1", "name=ann", "claim=10", "ssn=111-11-1111"),
                List.of("patient=1", "name=ann", "claim=11", "ssn=111-11-1111"),
                List.of("patient=3", "name=cy", "claim=12", "ssn=333-33-3333"));
        assertSameAsTwins(mode, "select p.id as patient, c.id as claim from patients p join claims c"
                + " on c.ssn = p.ssn where p.ssn = ? order by c.id", "111-11-1111");
        assertSameAsTwins(mode, "select patients.id as patient, claims.id as claim from patients join claims"
                + " using (ssn) order by 2");
        assertSameAsTwins(mode, "select id from patients where ssn not in (select ssn from claims) order by id");
        assertSameAsTwins(mode, "select c.id from claims c where not exists (select 1 from patients p"
                + " where p.ssn = c.ssn) order by 1");
    }

    @Test
    void postgresStoresEqualCiphertextsForEqualPlaintextsInBothColumns() throws SQLException {
        try (Connection p = proxy(Mode.EXTENDED_TEXT)) {
            insertRows(p, "");
        }
        try (Connection d = direct(Mode.EXTENDED_TEXT); Statement s = d.createStatement();
                ResultSet rs = s.executeQuery("select p.id, c.id, p.ssn, c.ssn, p.alt_ssn from patients p, claims c"
                        + " order by 1, 2")) {
            int equal = 0;
            while (rs.next()) {
                byte[] patient = rs.getBytes(3);
                byte[] claim = rs.getBytes(4);
                boolean samePlaintext = rs.getLong(1) == 1 && (rs.getLong(2) == 10 || rs.getLong(2) == 11)
                        || rs.getLong(1) == 3 && rs.getLong(2) == 12;
                assertThat(Arrays.equals(patient, claim)).as("patient %d claim %d", rs.getLong(1), rs.getLong(2))
                        .isEqualTo(samePlaintext);
                // the same value in a deterministic column outside the group encrypts differently
                assertThat(rs.getBytes(5)).isNotEqualTo(patient);
                equal += samePlaintext ? 1 : 0;
            }
            assertThat(equal).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void insertSelectCopiesBetweenColumnsOfTheGroupAndReadsBackRight(Mode mode) throws SQLException {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            insertRows(p, "");
            insertRows(d, "_plain");
            for (Connection c : List.of(p, d)) {
                String suffix = c == p ? "" : "_plain";
                try (Statement s = c.createStatement()) {
                    assertThat(s.executeUpdate("insert into claims" + suffix + " (id, ssn) select id + 100, ssn from"
                            + " patients" + suffix + " where id <> 2")).isEqualTo(2);
                }
            }
        }
        assertSameAsTwins(mode, "select id, ssn from claims where id > 100 order by id");
        assertSameAsTwins(mode, "select c.id, p.name from claims c join patients p on p.ssn = c.ssn"
                + " where c.id > 100 order by 1");
        try (Connection d = direct(mode); Statement s = d.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from claims c join patients p on p.id + 100 = c.id"
                        + " where c.ssn = p.ssn")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2); // the envelopes were copied, not re-encrypted differently
        }
    }

    @Test
    void comparisonsAndCopiesOutsideTheGroupAreRefusedAndChangeNothing() throws SQLException {
        try (Connection p = proxy(Mode.EXTENDED_TEXT)) {
            insertRows(p, "");
        }
        try (Connection p = proxy(Mode.EXTENDED_TEXT); Statement s = p.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("select p.id from patients p join claims c on c.ssn = p.alt_ssn"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getMessage()).contains("public.claims.ssn").contains("public.patients.alt_ssn")
                                .contains("equality group");
                    });
            assertThatThrownBy(() -> s.executeUpdate("insert into patients (id, alt_ssn) select id + 100, ssn from claims"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getMessage()).contains("public.patients.alt_ssn").contains("public.claims.ssn");
                    });
            assertThatThrownBy(() -> s.executeUpdate("insert into claims (id, ssn) select id + 200, ssn from"
                    + " patients_plain"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
            assertThatThrownBy(() -> s.executeUpdate("insert into patients_plain (id, ssn) select id, ssn from claims"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
        }
        try (Connection d = direct(Mode.EXTENDED_TEXT); Statement s = d.createStatement();
                ResultSet rs = s.executeQuery("select (select count(*) from patients), (select count(*) from claims),"
                        + " (select count(*) from patients_plain)")) {
            rs.next();
            assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(3, 4, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRandomizedNumericKeepsItsScaleInTextAndBinaryResults(Mode mode) throws SQLException {
        try (Connection p = proxy(mode); Connection d = direct(mode)) {
            insertRows(p, "");
            insertRows(d, "_plain");
            try (Statement s = p.createStatement()) {
                s.executeUpdate("insert into claims (id, amount) values (20, 3.1400), (21, '-0.00'), (22, 1.5e1)");
            }
            try (Statement s = d.createStatement()) {
                s.executeUpdate("insert into claims_plain (id, amount) values (20, 3.1400), (21, '-0.00'), (22, 1.5e1)");
            }
        }
        assertSameAsTwins(mode, "select id, amount from claims order by id");
        try (Connection p = proxy(mode); PreparedStatement ps = p.prepareStatement(
                "select amount, exact_amount from claims where id = ?")) {
            ps.setLong(1, 10);
            for (int run = 0; run < 3; run++) { // past pgjdbc's switch to a named, binary statement
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("1.50");
                    assertThat(rs.getBigDecimal(1)).isEqualTo(new BigDecimal("1.50")); // scale 2 as well
                    // deterministic: 1.5 and 1.50 must encrypt equally, so the minimal scale (docs/sql.md)
                    assertThat(rs.getBigDecimal(2)).isEqualTo(new BigDecimal("1.5"));
                }
            }
        }
        try (Connection p = proxy(mode); PreparedStatement ps = p.prepareStatement(
                "select id from claims where exact_amount = ? order by id")) {
            ps.setBigDecimal(1, new BigDecimal("1.5000"));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(10);
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
