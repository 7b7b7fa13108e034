package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.EnvelopeConstraint;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.app.PgsealServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgbench as an unchanged client of encrypted columns: every transaction upserts a row with two
 * deterministic and two randomized columns, looks it up by a deterministic column, updates a
 * randomized one and searches with {@code IN}, in each of pgbench's protocols. pgbench must finish
 * with no failed transaction, and afterwards every row read through pgseal must hold exactly what
 * the script derived from its id (so no value was stored under another row's or column's key),
 * while PostgreSQL holds only envelopes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptedPgbenchIT {

    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    /** pgbench splices variables into the text in simple mode: there they must be quoted like literals. */
    private static final String SIMPLE_SCRIPT = """
            \\set id random(1, 500)
            \\set ssn 100000000 + :id
            \\set email :id * 7
            \\set note random(1, 1000000000)
            \\set score :note % 1000
            BEGIN;
            INSERT INTO accounts (id, ssn, email, note, score, balance) VALUES (:id, ':ssn', ':email', ':note', :score, 0) ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note, score = EXCLUDED.score;
            SELECT id, email, note, score, balance FROM accounts WHERE ssn = ':ssn';
            UPDATE accounts SET note = ':note', score = :score, balance = balance + 1 WHERE id = :id;
            SELECT count(*) FROM accounts WHERE email IN (':email', ':ssn');
            END;
            """;

    /** In extended and prepared mode every variable is a parameter of unspecified type. */
    private static final String PARAMETER_SCRIPT = SIMPLE_SCRIPT.replace("':", ":").replaceAll("(:[a-z]+)'", "$1");

    @TempDir
    static Path dir;

    private static PostgresFixture pg;
    private static String database;
    private static PgsealServer server;
    private static long transactions;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pgbench")) || onPath("pgbench"), "pgbench is not installed");
        pg = PostgresFixture.get();
        database = pg.createDatabase("pgbench_enc");
        String store = pg.createDatabase("pgbench_enc_store");
        Path policyFile = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                databases: [%s]
                keys:
                  - name: accounts
                tables:
                  - name: public.accounts
                    primary_key: id
                    columns:
                      - { name: ssn,   type: text, encryption: deterministic, key: accounts, readers: "*" }
                      - { name: email, type: text, encryption: deterministic, key: accounts, readers: "*" }
                      - { name: note,  type: text, encryption: randomized,    key: accounts, readers: "*" }
                      - { name: score, type: int4, encryption: randomized,    key: accounts, readers: "*" }
                """.formatted(database));
        Policy policy = PolicyLoader.load(policyFile).orElseThrow();
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("create table public.accounts (id int8 primary key, ssn bytea, email bytea, note bytea, "
                    + "score bytea, balance int8 not null)");
            s.execute("create index on public.accounts (ssn)");
            for (TablePolicy t : policy.tables()) {
                for (ColumnPolicy col : t.columns()) {
                    s.execute(EnvelopeConstraint.addStatement(t.name(), col));
                }
            }
        }
        server = PgsealServer.start(ServerUnderPolicy.config(dir, policyFile, store));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    @Order(1)
    @ParameterizedTest(name = "pgbench -M {0}")
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void pgbenchRunsWithoutFailures(String mode) throws Exception {
        Path script = Files.writeString(dir.resolve(mode + ".sql"),
                mode.equals("simple") ? SIMPLE_SCRIPT : PARAMETER_SCRIPT);
        String out = ExternalCommand.run(dir, "pgbench", "-n", "-h", "127.0.0.1", "-p",
                Integer.toString(server.port()), "-U", pg.user(), "-M", mode, "-c", "4", "-j", "2", "-T", "3",
                "-f", script.toString(), database);
        long processed = number(PROCESSED, out);
        assertThat(processed).as("transactions in pgbench -M %s:%n%s", mode, out).isPositive();
        Matcher failed = FAILED.matcher(out);
        if (failed.find()) {
            assertThat(Long.parseLong(failed.group(1))).as(out).isZero();
        }
        transactions += processed;
    }

    @Order(2)
    @org.junit.jupiter.api.Test
    void everyRowReadsBackAsTheScriptDerivedIt() throws Exception {
        assumeTrue(transactions > 0, "the pgbench runs did not run");
        long rows = 0;
        long balance = 0;
        try (Connection c = throughPgseal(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select id, ssn, email, note, score, balance from accounts")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                assertThat(rs.getString(2)).as("ssn of %d", id).isEqualTo(Long.toString(100_000_000L + id));
                assertThat(rs.getString(3)).as("email of %d", id).isEqualTo(Long.toString(7 * id));
                long note = Long.parseLong(rs.getString(4));
                assertThat(rs.getInt(5)).as("score of %d", id).isEqualTo((int) (note % 1000));
                balance += rs.getLong(6);
                rows++;
            }
        }
        assertThat(rows).isPositive();
        // Each transaction added 1 to the balance of the row it upserted, and of no other.
        assertThat(balance).isEqualTo(transactions);
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from accounts where get_byte(ssn, 0) = 2 "
                        + "and get_byte(email, 0) = 2 and get_byte(note, 0) = 2 and get_byte(score, 0) = 2")) {
            rs.next();
            assertThat(rs.getLong(1)).as("rows holding envelopes in every protected column").isEqualTo(rows);
        }
    }

    private static Connection throughPgseal() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        if (pg.password() != null) {
            p.setProperty("password", pg.password());
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database, p);
    }

    private static long number(Pattern p, String out) {
        Matcher m = p.matcher(out);
        assertThat(m.find()).as("pgbench output:%n%s", out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
