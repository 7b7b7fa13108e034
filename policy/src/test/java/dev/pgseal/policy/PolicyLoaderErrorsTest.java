package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.policy.yaml.Diagnostic;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every user error the loader reports, one defect per case: the exact message, line and column.
 * Each case is the same small valid policy with one change, so a case fails if the loader reports
 * anything else as well.
 */
class PolicyLoaderErrorsTest {

    /** A valid policy; lines are numbered in the comments the cases refer to. */
    private static final String BASE = """
            version: 1
            keys:
              - name: k
            tables:
              - name: t
                primary_key: id
                columns:
                  - name: c
                    type: text
                    key: k
                    readers: [app]
            """;
    // line 1 version, 3 key name, 5 table name, 6 primary_key, 8 column name (col 9 = "name"),
    // 9 type (value at col 15), 10 key (value at col 14), 11 readers (value at col 18)

    private static String with(String from, String to) {
        if (!BASE.contains(from)) {
            throw new IllegalArgumentException("no " + from);
        }
        return BASE.replace(from, to);
    }

    private static String plus(String linesAtEndOfColumn) {
        return BASE + linesAtEndOfColumn;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("typo in a column key", plus("        encrytion: deterministic\n"),
                        12, 9, "unknown key 'encrytion' (did you mean 'encryption'?)"),
                Arguments.of("typo in a table key", with("    primary_key: id", "    primary_keys: id"),
                        6, 5, "unknown key 'primary_keys' (did you mean 'primary_key'?)"),
                Arguments.of("unknown root key with no close match", BASE + "zzz: 1\n",
                        12, 1, "unknown key 'zzz'; expected one of: version, databases, keys, tables"),
                Arguments.of("typo in the databases key", with("version: 1\n", "version: 1\ndatabase: [app]\n"),
                        2, 1, "unknown key 'database' (did you mean 'databases'?)"),
                Arguments.of("databases as a single name", with("version: 1\n", "version: 1\ndatabases: clinic\n"),
                        2, 12, "'databases' must be a list, not a string"),
                Arguments.of("databases as a mapping", with("version: 1\n", "version: 1\ndatabases: {clinic: yes}\n"),
                        2, 12, "'databases' must be a list, not a mapping"),
                Arguments.of("empty databases list", with("version: 1\n", "version: 1\ndatabases: []\n"),
                        2, 12, "'databases' is empty; omit it to cover every database except the key store's"),
                Arguments.of("empty database name", with("version: 1\n", "version: 1\ndatabases: [clinic, '']\n"),
                        2, 21, "a database name in 'databases' must not be empty"),
                Arguments.of("null database name", with("version: 1\n", "version: 1\ndatabases:\n  - clinic\n  -\n"),
                        4, 4, "each item of 'databases' must be a single value, not empty"),
                Arguments.of("database name that is a list", with("version: 1\n", "version: 1\ndatabases: [[a, b]]\n"),
                        2, 13, "each item of 'databases' must be a single value, not a list"),
                Arguments.of("database name longer than 63 bytes",
                        with("version: 1\n", "version: 1\ndatabases: [" + "d".repeat(64) + "]\n"),
                        2, 13, "database name '" + "d".repeat(20) + "...' is longer than 63 bytes;"
                                + " PostgreSQL would truncate it"),
                Arguments.of("database listed twice", with("version: 1\n", "version: 1\ndatabases:\n  - clinic\n"
                                + "  - billing\n  - clinic\n"),
                        5, 5, "database 'clinic' is listed twice in 'databases' (first at line 3)"),
                Arguments.of("typo in a key ring key", with("  - name: k\n", "  - name: k\n    rotaton: 90d\n"),
                        4, 5, "unknown key 'rotaton' (did you mean 'rotation'?)"),
                Arguments.of("duplicate YAML key", plus("        type: int4\n"),
                        12, 9, "duplicate key 'type' (first at line 9)"),
                Arguments.of("unsupported version", with("version: 1", "version: 2"),
                        1, 10, "unsupported version 2; this pgseal reads version 1"),
                Arguments.of("version that is not a number", with("version: 1", "version: one"),
                        1, 10, "'version' must be a whole number, not 'one'"),
                Arguments.of("missing version", with("version: 1\n", ""),
                        1, 1, "missing required key 'version'"),
                Arguments.of("misspelt type alias", with("type: text", "type: integr"),
                        9, 15, "unknown type 'integr' (did you mean 'integer'?)"),
                Arguments.of("misspelt type with a length", with("type: text", "type: varchr(40)"),
                        9, 15, "unknown type 'varchr(40)' (did you mean 'varchar'?)"),
                Arguments.of("unknown type", with("type: text", "type: geometry"),
                        9, 15, "unknown type 'geometry'; expected one of: text, varchar(n), char(n), int2, int4,"
                                + " int8, numeric, float8, bool, date, timestamp, timestamptz, uuid, bytea, jsonb"
                                + " (or a PostgreSQL alias such as integer)"),
                Arguments.of("length on a type without one", with("type: text", "type: int4(3)"),
                        9, 15, "invalid type 'int4(3)': only varchar(n) and char(n) take a length, from 1 to 10485760"),
                Arguments.of("missing type", with("        type: text\n", ""),
                        8, 9, "missing required key 'type'"),
                Arguments.of("unknown key reference", with("key: k\n", "key: kk\n"),
                        10, 14, "column 'c' uses key 'kk', which is not declared under 'keys' (did you mean 'k'?)"),
                Arguments.of("misspelt encryption mode", plus("        encryption: determinstic\n"),
                        12, 21, "invalid value 'determinstic' for 'encryption' (did you mean 'deterministic'?)"),
                Arguments.of("unknown on_unauthorized mode", plus("        on_unauthorized: hide\n"),
                        12, 26, "invalid value 'hide' for 'on_unauthorized'; expected one of: error, nullify, mask,"
                                + " ciphertext"),
                Arguments.of("duplicate table (qualified and unqualified)", BASE + """
                          - name: public.T
                            columns:
                              - name: d
                                type: text
                                key: k
                                readers: [app]
                        """,
                        12, 11, "table 'public.t' is declared twice (first at line 5)"),
                Arguments.of("duplicate column", plus("""
                              - name: C
                                type: int4
                                key: k
                                readers: [app]
                        """),
                        12, 15, "column 'c' of table 'public.t' is declared twice (first at line 8)"),
                Arguments.of("duplicate key ring", with("  - name: k\n", "  - name: k\n  - name: k\n"),
                        4, 11, "key 'k' is declared twice (first at line 3)"),
                Arguments.of("randomized primary key column", with("      - name: c", "      - name: id")
                                .replace("readers: [app]", "readers: [app]\n        encryption: randomized"),
                        12, 21, "primary key column 'id' of table 'public.t' is encrypted randomized;"
                                + " a primary key column must be unencrypted or deterministic"),
                Arguments.of("primary key column randomized by default", with("      - name: c", "      - name: id"),
                        8, 9, "primary key column 'id' of table 'public.t' is encrypted randomized;"
                                + " a primary key column must be unencrypted or deterministic"),
                Arguments.of("mask on a column everybody reads", with("readers: [app]", "readers: \"*\"")
                                + "        on_unauthorized: mask\n        mask: \"***{last4}\"\n",
                        13, 15, "mask on column 'c' never applies: its readers are '*', so every role sees plaintext"),
                Arguments.of("on_unauthorized mask without a pattern", plus("        on_unauthorized: mask\n"),
                        12, 26, "column 'c' has on_unauthorized: mask but no 'mask' pattern"),
                Arguments.of("mask revealing a whole char(4)", with("type: text", "type: char(4)")
                                + "        on_unauthorized: mask\n        mask: \"{last4}\"\n",
                        13, 15, "mask '{last4}' on column 'c' (char(4)) reveals 4 characters of at most 4;"
                                + " a mask may reveal at most half of the type's length (2)"),
                Arguments.of("mask revealing more than half a varchar", with("type: text", "type: character varying(10)")
                                + "        on_unauthorized: mask\n        mask: \"{first3}-{last3}\"\n",
                        13, 15, "mask '{first3}-{last3}' on column 'c' (character varying(10)) reveals 6 characters"
                                + " of at most 10; a mask may reveal at most half of the type's length (5)"),
                Arguments.of("mask revealing more than half a varchar with a length", with("type: text", "type: varchar(7)")
                                + "        on_unauthorized: mask\n        mask: \"***-**-{last4}\"\n",
                        13, 15, "mask '***-**-{last4}' on column 'c' (varchar(7)) reveals 4 characters of at most 7;"
                                + " a mask may reveal at most half of the type's length (3)"),
                Arguments.of("mask on an int2", with("type: text", "type: int2")
                                + "        on_unauthorized: mask\n        mask: \"{last4}\"\n",
                        13, 15, "mask '{last4}' on column 'c' (int2) is not allowed: only text, varchar(n) and char(n)"
                                + " columns can be masked"),
                Arguments.of("mask on a bytea", with("type: text", "type: bytea")
                                + "        on_unauthorized: mask\n        mask: \"xx\"\n",
                        13, 15, "mask 'xx' on column 'c' (bytea) is not allowed: only text, varchar(n) and char(n)"
                                + " columns can be masked"),
                Arguments.of("mask on a jsonb", with("type: text", "type: jsonb")
                                + "        on_unauthorized: mask\n        mask: \"{first1}\"\n",
                        13, 15, "mask '{first1}' on column 'c' (jsonb) is not allowed: only text, varchar(n) and"
                                + " char(n) columns can be masked"),
                Arguments.of("mask on a boolean", with("type: text", "type: boolean")
                                + "        on_unauthorized: mask\n        mask: \"?\"\n",
                        13, 15, "mask '?' on column 'c' (boolean) is not allowed: only text, varchar(n) and char(n)"
                                + " columns can be masked"),
                Arguments.of("unknown mask placeholder", plus("        on_unauthorized: mask\n        mask: \"**{lats4}\"\n"),
                        13, 15, "invalid mask '**{lats4}' of column 'c': unknown placeholder '{lats4}' at position 3;"
                                + " use {firstN} or {lastN} with N from 1 to 99, or {{ for a literal brace"),
                Arguments.of("unparseable rotation", with("  - name: k\n", "  - name: k\n    rotation: 3 months\n"),
                        4, 15, "invalid rotation '3 months' for key 'k': use a positive whole number followed by h,"
                                + " d or w, e.g. 90d"),
                Arguments.of("zero rotation", with("  - name: k\n", "  - name: k\n    rotation: 0d\n"),
                        4, 15, "invalid rotation '0d' for key 'k': use a positive whole number followed by h, d or w,"
                                + " e.g. 90d"),
                Arguments.of("negative rotation", with("  - name: k\n", "  - name: k\n    rotation: -5d\n"),
                        4, 15, "invalid rotation '-5d' for key 'k': use a positive whole number followed by h, d or w,"
                                + " e.g. 90d"),
                Arguments.of("rotation in minutes (meant months)", with("  - name: k\n", "  - name: k\n    rotation: 3m\n"),
                        4, 15, "rotation '3m' for key 'k' is shorter than one hour ('m' means minutes; for months"
                                + " write days, e.g. 90d)"),
                Arguments.of("min_decryption_version below 1",
                        with("  - name: k\n", "  - name: k\n    min_decryption_version: 0\n"),
                        4, 29, "min_decryption_version for key 'k' must be at least 1, not 0"),
                Arguments.of("invalid key ring name", with("  - name: k\n", "  - name: k\n  - name: 'my key'\n"),
                        4, 11, "invalid key name 'my key': use letters, digits, '_', '.' and '-' (at most 63,"
                                + " starting with a letter or digit)"),
                Arguments.of("'*' mixed with role names", with("readers: [app]", "readers: [app, \"*\"]"),
                        11, 18, "'*' (every role) cannot be combined with role names in 'readers'"),
                Arguments.of("invalid role name", with("readers: [app]", "readers: [app, 'bad role']"),
                        11, 24, "invalid role name 'bad role' in 'readers': unexpected character ' ' (quote the"
                                + " identifier with double quotes to use it)"),
                Arguments.of("missing readers", with("        readers: [app]\n", ""),
                        8, 9, "missing required key 'readers'"),
                Arguments.of("unterminated quoted table name", with("  - name: t", "  - name: '\"Sales'"),
                        5, 11, "invalid table name '\"Sales': unterminated quoted identifier"),
                Arguments.of("table name with three parts", with("  - name: t", "  - name: db.s.t"),
                        5, 11, "invalid table name 'db.s.t': expected table or schema.table, not 3 parts"),
                Arguments.of("empty column list", """
                        version: 1
                        keys:
                          - name: k
                        tables:
                          - name: t
                            primary_key: id
                            columns: []
                        """,
                        7, 14, "'columns' of table 'public.t' is empty; list at least one protected column"),
                Arguments.of("readers that is a mapping", with("readers: [app]", "readers: {app: yes}"),
                        11, 18, "'readers' must be a list, not a mapping"),
                Arguments.of("column that is not a mapping", with("      - name: c\n        type: text\n        key: k\n"
                                + "        readers: [app]\n", "      - c\n"),
                        8, 9, "a column must be a mapping of keys to values, not a string"),
                Arguments.of("root that is a list", "- version: 1\n",
                        1, 1, "the policy must be a mapping of keys to values, not a list"),
                Arguments.of("empty file", "# nothing yet\n",
                        1, 1, "the policy is empty; it needs at least 'version: 1'"),
                Arguments.of("YAML syntax error", with("readers: [app]", "readers: [app"),
                        12, 1, "YAML syntax error: expected ',' or ']', but got <stream end> (while parsing a flow sequence)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsTheErrorWithItsPositionAndNothingElse(String name, String yaml, int line, int column, String message) {
        PolicyLoadResult result = PolicyLoader.parse(yaml, "policy.yaml");

        assertThat(result.isValid()).isFalse();
        assertThat(result.policy()).isEmpty();
        assertThat(result.errors()).extracting(Diagnostic::toString)
                .containsExactly("policy.yaml:" + line + ":" + column + ": " + message);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"text", "varchar", "varchar(8)", "char(8)",
            "character varying(100)", "TEXT"})
    void acceptsALast4MaskOnCharacterTypesLongEnough(String type) {
        String yaml = with("type: text", "type: " + type) + "        on_unauthorized: mask\n        mask: \"{last4}\"\n";
        assertThat(PolicyLoader.parse(yaml, "policy.yaml").errors()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void baseOfTheCasesIsValid() {
        PolicyLoadResult result = PolicyLoader.parse(BASE, "policy.yaml");
        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).isEmpty();
    }
}
