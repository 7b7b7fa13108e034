package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.sql.lex.LexSettings;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementScreenTest {

    private static final Policy POLICY = PolicyLoader.parse("""
            version: 1
            keys:
              - name: k
            tables:
              - name: public.patients
                primary_key: id
                columns:
                  - name: ssn
                    type: text
                    encryption: deterministic
                    key: k
                    readers: ["*"]
              - name: public.customers
                primary_key: id
                columns:
                  - name: ssn
                    type: text
                    encryption: deterministic
                    key: k
                    readers: ["*"]
              - name: 'public."kundenü"'
                primary_key: id
                columns:
                  - name: iban
                    type: text
                    encryption: deterministic
                    key: k
                    readers: ["*"]
              - name: '"Billing"."Cards"'
                primary_key: id
                columns:
                  - name: pan
                    type: text
                    encryption: deterministic
                    key: k
                    readers: ["*"]
            """, "inline.yaml").orElseThrow();

    private static final StatementScreen SCREEN = StatementScreen.of(POLICY);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "select 1                                            | ''",
            "select * from patients                              | public.patients",
            "SELECT * FROM PATIENTS                              | public.patients",
            "select * from public.patients p                     | public.patients",
            "select * from \"public\".\"patients\"               | public.patients",
            "select * from other.patients                        | ''",
            "select * from \"Patients\"                          | ''",
            "select 'patients' from t                            | ''",
            "select 1 -- from patients                           | ''",
            "select /* patients /* nested */ */ 1                | ''",
            "select $$ from patients $$                          | ''",
            "select $x$ patients $x$, $1 from t                  | ''",
            "select E'it\\'s patients' from t                    | ''",
            "insert into patients(ssn) values ($1)               | public.patients",
            "select 1; update patients set ssn = null            | public.patients",
            "select * from \"Billing\".\"Cards\"                 | \"Billing\".\"Cards\"",
            "select * from billing.cards                         | ''",
            "select p.ssn from t join patients p on p.id = t.id | public.patients",
    })
    void findsTheProtectedTablesAStatementMentions(String sql, String expected) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        Set<String> found = s.protectedTables().stream().map(QualifiedName::toSql).collect(Collectors.toSet());
        Set<String> want = expected.isEmpty() ? Set.of() : Set.of(expected);
        assertThat(found).isEqualTo(want);
        assertThat(s.unreadable()).isEmpty();
        assertThat(s.isPassThrough()).isEqualTo(want.isEmpty());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "select * from pgseal.key_versions",
            "select * from \"pgseal\".audit_log",
            "set search_path = pgseal, public",
            "delete from pgseal . audit_log",
    })
    void flagsAccessToPgsealsOwnSchema(String sql) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        assertThat(s.touchesPgsealSchema()).isTrue();
        assertThat(s.isPassThrough()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "select 'unterminated from patients",
            "select \"unterminated",
            "select /* unterminated",
            "select $tag$ unterminated",
    })
    void unreadableTextIsNeverPassedThrough(String sql) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        assertThat(s.unreadable()).isPresent();
        assertThat(s.isPassThrough()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "select 'pgseal.audit_log'",
            "select pgseal_version()",
            "select * from mypgseal.t",
    })
    void namesThatOnlyLookLikePgsealPassThrough(String sql) {
        assertThat(SCREEN.screen(sql).isPassThrough()).isTrue();
    }

    private static Set<String> mentioned(String sql, LexSettings settings) {
        return SCREEN.screen(SqlLexerTest.unescape(sql), settings).protectedTables().stream()
                .map(QualifiedName::toSql).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "select * from U&\"\\0063ustomers\"                         | public.customers",
            "select * from U&\"!0063ustomers\" UESCAPE '!'              | public.customers",
            "select * from \"customers\"                                | public.customers",
            "select * from CUSTOMERS                                    | public.customers",
            "select * from db.public.customers                          | public.customers",
            "select * from other.customers                              | -",
            "select * from \"Customers\"                                | -",
            "SELECT E'x' -- c⏎'\\'' , ssn FROM customers --'            | public.customers",
            "SELECT E'x' -- c␍'\\'' , ssn FROM customers --'            | public.customers",
            "SELECT 'x' /* c */⏎'\\'' , ssn FROM customers --'          | -",
            "select 1customers                                          | public.customers",
    })
    void findsProtectedTablesByTheNamePostgresqlResolves(String sql, String expected) {
        assertThat(mentioned(sql, LexSettings.STANDARD)).isEqualTo(expected.equals("-") ? Set.of() : Set.of(expected));
    }

    @Test
    void readsPlainStringsAsTheSessionsStandardConformingStringsSettingDoes() {
        // With standard_conforming_strings off, \' is a quote inside the string and the next ' closes it.
        String legacyReveals = "SELECT 'a\\'' , ssn FROM customers --'";
        assertThat(mentioned(legacyReveals, LexSettings.LEGACY)).containsExactly("public.customers");
        assertThat(mentioned(legacyReveals, LexSettings.STANDARD)).isEmpty();
        String standardReveals = "SELECT 'a\\' , ssn FROM customers --'";
        assertThat(mentioned(standardReveals, LexSettings.STANDARD)).containsExactly("public.customers");
        assertThat(SCREEN.screen(standardReveals, LexSettings.LEGACY).isPassThrough()).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "DO $$ BEGIN INSERT INTO customers(ssn) VALUES ('1'); END $$                          | DO block",
            "do $x$ BEGIN PERFORM 1 FROM U&\"\\0063ustomers\"; END $x$                           | DO block",
            "DO $$ BEGIN EXECUTE E'DELETE FROM \\x63ustomers'; END $$                          | DO block",
            "DO $$ BEGIN EXECUTE U&'DELETE FROM \\0063ustomers'; END $$                        | DO block",
            "DO LANGUAGE plpgsql 'BEGIN DELETE FROM CUSTOMERS; END'                              | DO block",
            "DO $$ BEGIN PERFORM table_to_xml(16384::regclass, true, true, ''); END $$           | DO block",
            "CREATE FUNCTION f() RETURNS void AS $$ INSERT INTO customers VALUES (1) $$ LANGUAGE sql | CREATE FUNCTION",
            "create or replace procedure p() language sql as 'DELETE FROM cust'⏎'omers'          | CREATE PROCEDURE",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; DELETE FROM customers; END | CREATE FUNCTION",
            "CREATE VIEW v AS SELECT * FROM customers                                            | CREATE VIEW",
            "CREATE MATERIALIZED VIEW v AS SELECT ssn FROM public.customers                      | CREATE MATERIALIZED VIEW",
            "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; INSERT INTO customers VALUES (1)) | CREATE RULE",
            "CREATE TRIGGER t AFTER INSERT ON customers FOR EACH ROW EXECUTE FUNCTION f()        | CREATE TRIGGER",
            "CREATE SCHEMA s CREATE VIEW v AS SELECT 1 FROM customers                            | CREATE VIEW",
            "CREATE TABLE c2 () INHERITS (customers)                                             | CREATE TABLE ... INHERITS",
            "CREATE UNLOGGED TABLE c3 PARTITION OF customers FOR VALUES IN (1)                   | CREATE TABLE ... PARTITION OF",
            "SELECT query_to_xml('select ssn from customers', true, true, '')                    | call of query_to_xml",
            "SELECT pg_catalog.query_to_xml('select ssn from cust'⏎'omers', true, true, '')      | call of query_to_xml",
            "SELECT \"query_to_xml\"(U&'select ssn from \\0063ustomers', true, true, '')       | call of query_to_xml",
            "SELECT query_to_xml('select table_to_xml(16384::regclass, true, true, '''')', true, true, '') | call of query_to_xml",
            "SELECT * FROM dblink('dbname=x', 'select ssn from customers') AS t(s text)           | call of dblink",
            "SELECT ts_stat('select ssn::tsvector from customers')                               | call of ts_stat",
            "SELECT table_to_xml(16384::oid::regclass, true, true, '')                           | call of table_to_xml",
            "SELECT pg_catalog.table_to_xmlschema('notes', true, true, '')                       | call of table_to_xmlschema",
            "SELECT schema_to_xml('public', true, true, '')                                      | call of schema_to_xml",
            "SELECT database_to_xml_and_xmlschema(true, true, '')                                | call of database_to_xml_and_xmlschema",
            "CREATE TEMP VIEW v AS SELECT 1                                                      | CREATE TEMP VIEW",
            "CREATE RECURSIVE VIEW v(n) AS SELECT 1                                              | CREATE RECURSIVE VIEW",
            "CREATE CONSTRAINT TRIGGER t AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION f() | CREATE CONSTRAINT TRIGGER",
            "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()                    | CREATE EVENT TRIGGER",
            "ALTER TABLE customers DROP COLUMN ssn                                               | drops protected column ssn",
            "ALTER TABLE public.customers ALTER COLUMN ssn TYPE text                             | alters protected column ssn",
            "ALTER TABLE customers ADD COLUMN note text, DROP ssn                                | drops protected column ssn",
            "ALTER TABLE customers RENAME ssn TO x                                               | renames protected column ssn",
            "ALTER TABLE customers RENAME TO c2                                                  | renames protected table",
            "ALTER TABLE customers DROP CONSTRAINT IF EXISTS pgseal_ssn_envelope                 | drops constraint pgseal_ssn_envelope",
            "ALTER TABLE IF EXISTS ONLY customers SET SCHEMA other                               | moves protected table",
            "SELECT 1; DO $$ BEGIN DELETE FROM customers; END $$                                 | DO block",
    })
    void refusesStatementsWhoseEffectPgsealCannotSee(String sql, String construct) {
        StatementScreen.Screening s = SCREEN.screen(SqlLexerTest.unescape(sql));
        assertThat(s.refusal()).isPresent();
        assertThat(s.refusal().get().sqlState()).isEqualTo("0A000");
        assertThat(s.refusal().get().message()).startsWith("pgseal: ").contains(construct);
        assertThat(s.isPassThrough()).isFalse();
    }

    @Test
    void refusalMessageNamesConstructAndTable() {
        assertThat(SCREEN.screen("DO $$ BEGIN INSERT INTO customers VALUES (1); END $$").refusal().orElseThrow().message())
                .isEqualTo("pgseal: DO block refused: its text mentions protected table public.customers; "
                        + "pgseal cannot see what it does");
    }

    @Test
    void refusalMessagesAreAscii() {
        String message = SCREEN.screen("DO $$ BEGIN DELETE FROM \"kundenü\"; END $$").refusal().orElseThrow().message();
        assertThat(message).contains("kunden\\u00FC").matches("\\p{ASCII}*");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "INSERT INTO notes VALUES ('I like customers')",
            "SELECT * FROM other.notes",
            "DO $$ BEGIN RAISE NOTICE 'hi'; END $$",
            "CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql",
            "CREATE VIEW v AS SELECT * FROM other.notes",
            "SELECT query_to_xml('select 1', true, true, '')",
            "CREATE TABLE t2 () INHERITS (notes)",
            "CREATE TABLE t3 (id int)",
            "SELECT 'table_to_xml is a function'",
            "INSERT INTO t VALUES ('do') ON CONFLICT DO NOTHING",
    })
    void harmlessStatementsAreNeitherRefusedNorMentioning(String sql) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        assertThat(s.refusal()).isEmpty();
        assertThat(s.protectedTables()).isEmpty();
        assertThat(s.isPassThrough()).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "ALTER TABLE customers ADD COLUMN note text",
            "ALTER TABLE customers DROP COLUMN note",
            "ALTER TABLE customers DROP CONSTRAINT customers_pkey",
            "ALTER TABLE other.customers DROP COLUMN ssn",
            "DROP TABLE customers",
    })
    void otherChangesToProtectedTablesAreMentionsNotRefusals(String sql) {
        assertThat(SCREEN.screen(sql).refusal()).isEmpty();
    }

    @Test
    void decodedNamesReachPgsealsSchema() {
        assertThat(SCREEN.screen("select * from U&\"\\0070gseal\".key_versions").touchesPgsealSchema()).isTrue();
    }

    @Test
    void screenWithoutAPolicyRefusesNothing() {
        StatementScreen empty = StatementScreen.of(Policy.empty());
        assertThat(empty.screen("SELECT table_to_xml(1::regclass, true, true, '')").isPassThrough()).isTrue();
    }
}
