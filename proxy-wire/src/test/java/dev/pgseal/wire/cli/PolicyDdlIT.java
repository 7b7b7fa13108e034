package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.testing.PostgresFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgseal policy ddl FILE --upstream URL | psql -v ON_ERROR_STOP=1 URL} against a real
 * PostgreSQL and the real psql: the output is a script psql runs as it is, after which the catalog
 * matches and PostgreSQL itself refuses plaintext in protected columns.
 */
class PolicyDdlIT {

    private static final String POLICY = """
            version: 1
            databases: [%s]
            keys: [{name: customers}]
            tables:
              - name: public.customers
                primary_key: id
                columns:
                  - {name: email, type: text, encryption: deterministic, key: customers, readers: [app]}
                  - {name: ssn, type: text, encryption: deterministic, key: customers, readers: [app]}
                  - {name: notes, type: text, key: customers, readers: [app]}
                  - {name: missing, type: text, key: customers, readers: [app]}
            """;

    @TempDir
    Path dir;

    @Test
    void itsOutputPipedIntoPsqlMakesTheCatalogMatchAndPostgresRefusePlaintext() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("policy_ddl_psql");
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            // email: empty text (changed in place); ssn: bytea already; notes: text holding data (moved aside)
            s.execute("create table customers (id int primary key, email text, ssn bytea, notes text)");
            s.execute("insert into customers (id, notes) values (1, 'kept aside')");
        }
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted(db));
        String url = pg.libpqUrl(db);

        MainTest.Result first = MainTest.run("policy", "ddl", policy.toString(), "--upstream", url);
        assertThat(first.exitCode()).isEqualTo(1);
        assertThat(first.err()).isEmpty();
        assertThat(first.out().lines()).as("SQL only: comments and statements")
                .allMatch(line -> line.startsWith("-- ") || line.startsWith("ALTER TABLE "));
        assertThat(first.out()).contains("-- database " + db + " and the policy disagree:",
                "--   column public.customers.missing does not exist",
                "ALTER TABLE public.customers RENAME COLUMN notes TO notes_plaintext;",
                "ALTER TABLE public.customers ADD CONSTRAINT pgseal_envelope_ssn CHECK (ssn IS NULL OR"
                        + " (octet_length(ssn) >= 26 AND get_byte(ssn, 0) = 2 AND get_byte(ssn, 1) = 2));");

        Psql psql = psql(url, first.out());
        assertThat(psql.exitCode()).as(psql.output()).isZero();

        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("alter table customers add column missing bytea");
        }
        MainTest.Result added = MainTest.run("policy", "ddl", policy.toString(), "--upstream", url);
        assertThat(added.out()).as("a new bytea column still needs its constraint").contains(
                "--   column public.customers.missing: envelope constraint pgseal_envelope_missing does not exist");
        assertThat(psql(url, added.out()).exitCode()).isZero();

        MainTest.Result second = MainTest.run("policy", "ddl", policy.toString(), "--upstream", url);
        assertThat(second.out()).isEqualTo("-- database " + db + " matches the policy: 1 table checked, every protected"
                + " column is bytea with its envelope constraint\n");
        assertThat(second.exitCode()).as(second.out()).isZero();

        try (Connection c = pg.connect(db)) {
            for (String column : new String[] {"email", "ssn", "notes"}) {
                assertThatThrownBy(() -> {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("insert into customers (id, " + column + ") values (2, 'plaintext')");
                    }
                }).as(column).isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23514");
            }
            byte[] envelopeShaped = new byte[26];
            envelopeShaped[0] = 2;
            envelopeShaped[1] = 2;
            try (PreparedStatement ps = c.prepareStatement("insert into customers (id, ssn, email) values (?, ?, ?)")) {
                ps.setInt(1, 3);
                ps.setBytes(2, envelopeShaped);
                ps.setNull(3, java.sql.Types.BINARY);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select notes_plaintext from customers where id = 1")) {
                rs.next();
                assertThat(rs.getString(1)).as("a column holding data is moved aside, never converted").isEqualTo("kept aside");
            }
        }
    }

    @Test
    void aDatabaseThePolicyDoesNotListGetsOnlyAComment() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("policy_ddl_other");
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted("clinic"));

        MainTest.Result r = MainTest.run("policy", "ddl", policy.toString(), "--upstream", pg.libpqUrl(db));

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("-- database " + db + " is not covered by this policy (databases: clinic):"
                + " pgseal passes it through untouched, nothing to do\n");
    }

    private record Psql(int exitCode, String output) {
    }

    /** Runs the real psql on {@code url} with {@code script} on its standard input. */
    private static Psql psql(String url, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url)
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("psql did not finish within 60 s");
        }
        return new Psql(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
