package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.policy.CatalogReport.ConstraintFix;
import dev.pgseal.policy.CatalogReport.ConstraintProblem;
import dev.pgseal.testing.PostgresFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The envelope CHECK constraint on a real PostgreSQL: the catalog check accepts exactly the
 * constraint pgseal asks for, names what is wrong with any other, and its statements put it right;
 * PostgreSQL then refuses plaintext (23514) in the table, its inheritance children and partitions.
 */
class EnvelopeConstraintIT {

    private static final String LONG = "a_column_name_long_enough_that_its_constraint_needs_a_hash_xyz";

    private static final String POLICY = """
            version: 1
            keys: [{name: k}]
            tables:
              - name: public.people
                primary_key: id
                columns:
                  - {name: ssn, type: text, encryption: deterministic, key: k, readers: [app]}
                  - {name: notes, type: text, key: k, readers: [app]}
                  - {name: '"Mixed Case"', type: text, encryption: deterministic, key: k, readers: [app]}
                  - {name: '"int"', type: int4, key: k, readers: [app]}
                  - {name: %s, type: text, key: k, readers: [app]}
            """.formatted(LONG);

    private static final String SCHEMA = """
            create domain sealed as bytea;
            create table people (id int primary key, ssn bytea, notes bytea, "Mixed Case" sealed, "int" bytea, %s bytea);
            """.formatted(LONG);

    private static final Policy PEOPLE = PolicyLoader.parse(POLICY, "p.yaml").orElseThrow();
    private static final QualifiedName TABLE = QualifiedName.parse("people");

    /** A value shaped like a deterministic envelope (version 2, mode 2, 26 bytes); its content does not matter here. */
    private static final byte[] DETERMINISTIC_SHAPE = shape(EnvelopeShape.MODE_DETERMINISTIC,
            EnvelopeShape.MIN_DETERMINISTIC_LENGTH);

    private static byte[] shape(int mode, int length) {
        byte[] b = new byte[length];
        b[0] = (byte) EnvelopeShape.FORMAT_VERSION;
        b[1] = (byte) mode;
        return b;
    }

    private static Connection freshDatabase(String prefix) throws SQLException {
        PostgresFixture pg = PostgresFixture.get();
        Connection c = pg.connect(pg.createDatabase(prefix));
        try (Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
        return c;
    }

    private static void run(Connection c, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static void addAll(Connection c) throws SQLException {
        for (ColumnPolicy column : PEOPLE.tables().get(0).columns()) {
            run(c, List.of(EnvelopeConstraint.addStatement(TABLE, column)));
        }
    }

    private static ColumnPolicy column(String name) {
        return PEOPLE.table(TABLE).orElseThrow().columns().stream().filter(col -> col.name().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    void acceptsTheConstraintsItsOwnStatementsCreate() throws Exception {
        try (Connection c = freshDatabase("envelope_ok")) {
            addAll(c);
            CatalogReport report = CatalogCheck.check(c, PEOPLE);
            assertThat(report.constraintFixes()).isEmpty();
            assertThat(report.isConsistent()).isTrue();
            assertThat(report.database()).startsWith("pgt_envelope_ok_");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "select count(*) from pg_constraint where conrelid = 'people'::regclass and conname = '"
                            + EnvelopeConstraint.name(LONG) + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the shortened name is stored as it is, not truncated").isEqualTo(1);
            }
        }
    }

    @Test
    void reportsAMissingConstraintAndItsStatementAddsIt() throws Exception {
        try (Connection c = freshDatabase("envelope_missing")) {
            CatalogReport report = CatalogCheck.check(c, PEOPLE);
            assertThat(report.isConsistent()).isFalse();
            assertThat(report.constraintFixes()).hasSize(5).allSatisfy(f -> {
                assertThat(f.problems()).containsExactly(ConstraintProblem.MISSING);
                assertThat(f.definition()).isEmpty();
            });
            assertThat(report.constraintFixes().get(0).statements()).containsExactly(
                    "ALTER TABLE public.people ADD CONSTRAINT pgseal_envelope_ssn CHECK (ssn IS NULL OR"
                            + " (octet_length(ssn) >= 26 AND get_byte(ssn, 0) = 2 AND get_byte(ssn, 1) = 2));");
            assertThat(report.text()).contains("column public.people.ssn: envelope constraint pgseal_envelope_ssn"
                    + " does not exist");

            run(c, List.of(report.ddl()));
            assertThat(CatalogCheck.check(c, PEOPLE).isConsistent()).isTrue();
        }
    }

    static Stream<Arguments> wrongConstraints() {
        String ssn = "ALTER TABLE people ADD CONSTRAINT pgseal_envelope_ssn ";
        String right = "CHECK (ssn IS NULL OR (octet_length(ssn) >= 26 AND get_byte(ssn, 0) = 2 AND get_byte(ssn, 1) = 2))";
        String drop = "ALTER TABLE public.people DROP CONSTRAINT pgseal_envelope_ssn;";
        String add = EnvelopeConstraint.addStatement(TABLE, column("ssn"));
        return Stream.of(
                Arguments.of("the randomized mode byte on a deterministic column", ssn + right.replace(
                        "get_byte(ssn, 1) = 2", "get_byte(ssn, 1) = 1"), List.of(ConstraintProblem.DIFFERENT), List.of(drop, add)),
                Arguments.of("no length test", ssn + "CHECK (ssn IS NULL OR get_byte(ssn, 0) = 2)",
                        List.of(ConstraintProblem.DIFFERENT), List.of(drop, add)),
                Arguments.of("NOT VALID", ssn + right + " NOT VALID", List.of(ConstraintProblem.NOT_VALID),
                        List.of("ALTER TABLE public.people VALIDATE CONSTRAINT pgseal_envelope_ssn;")),
                Arguments.of("NO INHERIT", ssn + right + " NO INHERIT", List.of(ConstraintProblem.NO_INHERIT),
                        List.of(drop, add)),
                Arguments.of("NOT VALID and NO INHERIT", ssn + right + " NO INHERIT NOT VALID",
                        List.of(ConstraintProblem.NOT_VALID, ConstraintProblem.NO_INHERIT), List.of(drop, add)),
                Arguments.of("a UNIQUE constraint of that name", ssn + "UNIQUE (ssn)",
                        List.of(ConstraintProblem.NOT_A_CHECK), List.of(drop, add)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongConstraints")
    void namesWhatIsWrongWithAnExistingConstraintAndItsStatementsPutItRight(String name, String create,
            List<ConstraintProblem> problems, List<String> statements) throws Exception {
        try (Connection c = freshDatabase("envelope_wrong")) {
            addAll(c);
            run(c, List.of("ALTER TABLE people DROP CONSTRAINT pgseal_envelope_ssn", create));

            CatalogReport report = CatalogCheck.check(c, PEOPLE);
            assertThat(report.isConsistent()).isFalse();
            ConstraintFix fix = report.constraintFixes().stream().filter(f -> f.column().equals("ssn")).findFirst()
                    .orElseThrow();
            assertThat(report.constraintFixes()).as("the other columns are fine").hasSize(1);
            assertThat(fix.problems()).containsExactlyElementsOf(problems);
            assertThat(fix.definition()).isPresent();
            assertThat(fix.statements()).containsExactlyElementsOf(statements);

            run(c, fix.statements());
            assertThat(CatalogCheck.check(c, PEOPLE).isConsistent()).isTrue();
        }
    }

    @Test
    void postgresRefusesPlaintextAndAcceptsNullAndEnvelopeShapedValues() throws Exception {
        try (Connection c = freshDatabase("envelope_enforced")) {
            addAll(c);
            assertPlaintextRefused(c, "people", "ssn");
            assertPlaintextRefused(c, "people", "\"Mixed Case\"");
            try (PreparedStatement ps = c.prepareStatement("insert into people (id, ssn, notes) values (?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setBytes(2, DETERMINISTIC_SHAPE);
                ps.setBytes(3, shape(EnvelopeShape.MODE_RANDOMIZED, EnvelopeShape.MIN_RANDOMIZED_LENGTH + 5));
                assertThat(ps.executeUpdate()).isEqualTo(1);
                ps.setInt(1, 2);
                ps.setNull(2, java.sql.Types.BINARY);
                ps.setNull(3, java.sql.Types.BINARY);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            // a deterministic envelope in a randomized column, and one byte short, are refused too
            assertRefused(c, "insert into people (id, notes) values (3, '\\x" + HexFormat.of().formatHex(
                    shape(EnvelopeShape.MODE_DETERMINISTIC, 64)) + "')");
            assertRefused(c, "insert into people (id, ssn) values (3, '\\x" + HexFormat.of().formatHex(
                    shape(EnvelopeShape.MODE_DETERMINISTIC, EnvelopeShape.MIN_DETERMINISTIC_LENGTH - 1)) + "')");
        }
    }

    @Test
    void inheritanceChildrenAndPartitionsGetTheConstraint() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        try (Connection c = pg.connect(pg.createDatabase("envelope_children"))) {
            run(c, List.of(
                    "create table people (id int, ssn bytea)",
                    "create table early_child (extra text) inherits (people)",
                    "create table events (id int, at date not null, ssn bytea) partition by range (at)",
                    "create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01')"));
            Policy policy = PolicyLoader.parse("""
                    version: 1
                    keys: [{name: k}]
                    tables:
                      - {name: people, columns: [{name: ssn, type: text, encryption: deterministic, key: k, readers: [a]}]}
                      - {name: events, columns: [{name: ssn, type: text, encryption: deterministic, key: k, readers: [a]}]}
                    """, "p.yaml").orElseThrow();
            run(c, List.of(CatalogCheck.check(c, policy).ddl()));
            assertThat(CatalogCheck.check(c, policy).isConsistent()).isTrue();
            run(c, List.of(
                    "create table late_child () inherits (people)",
                    "create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01')"));

            assertPlaintextRefused(c, "early_child", "ssn");
            assertPlaintextRefused(c, "late_child", "ssn");
            assertRefused(c, "insert into events (id, at, ssn) values (1, '2024-06-01', 'plain')");
            assertRefused(c, "insert into events_2025 (id, at, ssn) values (1, '2025-06-01', 'plain')");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    select count(*) from pg_constraint
                    where conname = 'pgseal_envelope_ssn' and convalidated and not connoinherit""")) {
                rs.next();
                assertThat(rs.getInt(1)).as("people, both children, events and both partitions").isEqualTo(6);
            }
        }
    }

    private static void assertPlaintextRefused(Connection c, String table, String column) {
        assertRefused(c, "insert into " + table + " (id, " + column + ") values (100, convert_to('123-45-6789', 'UTF8'))");
    }

    private static void assertRefused(Connection c, String sql) {
        assertThatThrownBy(() -> run(c, List.of(sql))).as(sql).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23514");
    }
}
