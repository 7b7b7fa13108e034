package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.testing.PostgresFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The catalog check against a real PostgreSQL: what it finds, and that its DDL fixes it. */
class CatalogCheckIT {

    private static final String POLICY = """
            version: 1
            keys: [{name: k}]
            tables:
              - name: public.people
                primary_key: [id, missing_pk]
                columns:
                  - {name: ok, type: text, key: k, readers: [app]}
                  - {name: empty_text, type: text, key: k, readers: [app]}
                  - {name: filled, type: text, key: k, readers: [app]}
                  - {name: with_default, type: int4, key: k, readers: [app]}
                  - {name: absent, type: text, key: k, readers: [app]}
                  - {name: '"Mixed Case"', type: text, key: k, readers: [app]}
              - name: '"Sales"."Orders"'
                primary_key: id
                columns:
                  - {name: card, type: text, key: k, readers: [app]}
              - name: nowhere
                columns: [{name: x, type: text, key: k, readers: [app]}]
              - name: people_view
                columns: [{name: ok, type: text, key: k, readers: [app]}]
            """;

    private static final String SCHEMA = """
            create domain sealed as bytea;
            create table people (id int primary key, ok bytea, empty_text text, filled text,
                                 with_default int default 0, "Mixed Case" sealed);
            insert into people (id, filled, with_default) values (1, 'secret', null);
            create schema "Sales";
            create table "Sales"."Orders" (id int primary key, card varchar(19));
            create view people_view as select id, ok from people;
            """;

    private static String envelope(String table, String column, int minLength, int mode) {
        return "ALTER TABLE " + table + " ADD CONSTRAINT pgseal_envelope_" + column + " CHECK (" + column + " IS NULL OR"
                + " (octet_length(" + column + ") >= " + minLength + " AND get_byte(" + column + ", 0) = 2 AND get_byte("
                + column + ", 1) = " + mode + "));";
    }

    @Test
    void findsMissingTablesAndColumnsAndPrintsDdlThatFixesTheTypes() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("policy_catalog");
        Policy policy = PolicyLoader.parse(POLICY, "p.yaml").orElseThrow();
        try (Connection c = pg.connect(db)) {
            try (Statement s = c.createStatement()) {
                s.execute(SCHEMA);
            }

            CatalogReport report = CatalogCheck.check(c, policy);

            assertThat(report.isConsistent()).isFalse();
            assertThat(report.tablesChecked()).isEqualTo(4);
            assertThat(report.missingTables()).containsExactly(
                    new CatalogReport.MissingTable(QualifiedName.parse("nowhere"), "does not exist"),
                    new CatalogReport.MissingTable(QualifiedName.parse("people_view"), "is a view, not a table"));
            assertThat(report.missingColumns()).containsExactly(
                    new CatalogReport.MissingColumn(QualifiedName.parse("people"), "missing_pk", true),
                    new CatalogReport.MissingColumn(QualifiedName.parse("people"), "absent", false));
            assertThat(report.columnFixes()).extracting(CatalogReport.ColumnFix::column)
                    .containsExactly("empty_text", "filled", "with_default", "card");
            assertThat(report.columnFixes()).extracting(CatalogReport.ColumnFix::statements).containsExactly(
                    java.util.List.of("ALTER TABLE public.people ALTER COLUMN empty_text TYPE bytea USING NULL::bytea;",
                            envelope("public.people", "empty_text", 38, 1)),
                    java.util.List.of("ALTER TABLE public.people RENAME COLUMN filled TO filled_plaintext;",
                            "ALTER TABLE public.people ADD COLUMN filled bytea;",
                            envelope("public.people", "filled", 38, 1)),
                    java.util.List.of("ALTER TABLE public.people ALTER COLUMN with_default DROP DEFAULT,"
                            + " ALTER COLUMN with_default TYPE bytea USING NULL::bytea;",
                            envelope("public.people", "with_default", 38, 1)),
                    java.util.List.of("ALTER TABLE \"Sales\".\"Orders\" ALTER COLUMN card TYPE bytea USING NULL::bytea;",
                            envelope("\"Sales\".\"Orders\"", "card", 38, 1)));
            assertThat(report.constraintFixes()).extracting(CatalogReport.ConstraintFix::column)
                    .as("the bytea columns lack only their envelope constraint").containsExactly("ok", "Mixed Case");
            assertThat(report.columnFixes()).extracting(CatalogReport.ColumnFix::holdsData)
                    .containsExactly(false, true, false, false);
            assertThat(report.text()).contains("table public.nowhere does not exist",
                    "column public.people.absent does not exist",
                    "column public.people.filled is text, must be bytea (it holds data)",
                    "column \"Sales\".\"Orders\".card is character varying(19), must be bytea (it holds no data)",
                    "THROUGH pgseal");

            try (Statement s = c.createStatement()) {
                s.execute(report.ddl());
            }
            CatalogReport after = CatalogCheck.check(c, policy);
            assertThat(after.columnFixes()).isEmpty();
            assertThat(after.constraintFixes()).isEmpty();
            assertThat(after.missingColumns()).hasSize(2);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select filled_plaintext, filled from people where id = 1")) {
                rs.next();
                assertThat(rs.getString(1)).as("the plaintext is kept aside, not lost").isEqualTo("secret");
                assertThat(rs.getBytes(2)).as("and never copied into the protected column").isNull();
            }
        }
    }

    @Test
    void reportsAMatchingCatalogAsConsistent() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("policy_catalog_ok");
        Path base = Path.of(System.getProperty("basedir", "."), "..", "examples", "demo").normalize();
        Policy policy = PolicyLoader.load(base.resolve("policy.yaml")).orElseThrow();
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute(Files.readString(base.resolve("schema.sql")));
            // the demo schema may or may not add the envelope constraints itself; the report's DDL does
            String ddl = CatalogCheck.check(c, policy).ddl();
            if (!ddl.isEmpty()) {
                s.execute(ddl);
            }
            CatalogReport report = CatalogCheck.check(c, policy);
            assertThat(report.isConsistent()).isTrue();
            assertThat(report.ddl()).isEmpty();
            assertThat(report.text()).isEqualTo("database " + db + " matches the policy: 1 table checked, every protected"
                    + " column is bytea with its envelope constraint\n");
            assertThat(report.script()).isEqualTo("-- " + report.text());
        }
    }

    @Test
    void producesTheAlterStatementThePgbenchExampleDocuments() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("policy_catalog_pgbench");
        Path file = Path.of(System.getProperty("basedir", "."), "..", "examples", "policies", "pgbench.yaml").normalize();
        Policy policy = PolicyLoader.load(file).orElseThrow();
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            // pgbench -i's definition of the table
            s.execute("create table pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))");
            CatalogReport report = CatalogCheck.check(c, policy);
            java.util.List<String> expected = java.util.List.of(
                    "ALTER TABLE public.pgbench_history ALTER COLUMN delta TYPE bytea USING NULL::bytea;",
                    envelope("public.pgbench_history", "delta", 38, 1));
            assertThat(report.columnFixes()).singleElement().extracting(CatalogReport.ColumnFix::statements)
                    .isEqualTo(expected);
            assertThat(Files.readString(file)).contains(expected.get(0)).contains(expected.get(1));
        }
    }
}
