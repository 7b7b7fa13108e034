package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The envelope CHECK constraint's text, name and comparison; EnvelopeConstraintIT runs them on PostgreSQL. */
class EnvelopeConstraintTest {

    private static ColumnPolicy column(String name, Encryption encryption) {
        return new ColumnPolicy(name, LogicalType.parse("text").orElseThrow(), encryption, "k", RoleSet.all(),
                RoleSet.all(), OnUnauthorized.ERROR, Optional.empty());
    }

    static Stream<Arguments> statements() {
        return Stream.of(
                Arguments.of("public.customers", "ssn", Encryption.DETERMINISTIC,
                        "ALTER TABLE public.customers ADD CONSTRAINT pgseal_envelope_ssn CHECK (ssn IS NULL OR"
                                + " (octet_length(ssn) >= 26 AND get_byte(ssn, 0) = 2 AND get_byte(ssn, 1) = 2));"),
                Arguments.of("public.customers", "notes", Encryption.RANDOMIZED,
                        "ALTER TABLE public.customers ADD CONSTRAINT pgseal_envelope_notes CHECK (notes IS NULL OR"
                                + " (octet_length(notes) >= 38 AND get_byte(notes, 0) = 2 AND get_byte(notes, 1) = 1));"),
                Arguments.of("\"Sales\".\"Orders\"", "Card No", Encryption.DETERMINISTIC,
                        "ALTER TABLE \"Sales\".\"Orders\" ADD CONSTRAINT \"pgseal_envelope_Card No\" CHECK"
                                + " (\"Card No\" IS NULL OR (octet_length(\"Card No\") >= 26 AND get_byte(\"Card No\", 0) = 2"
                                + " AND get_byte(\"Card No\", 1) = 2));"),
                Arguments.of("t", "a\"b", Encryption.RANDOMIZED,
                        "ALTER TABLE public.t ADD CONSTRAINT \"pgseal_envelope_a\"\"b\" CHECK (\"a\"\"b\" IS NULL OR"
                                + " (octet_length(\"a\"\"b\") >= 38 AND get_byte(\"a\"\"b\", 0) = 2"
                                + " AND get_byte(\"a\"\"b\", 1) = 1));"),
                Arguments.of("t", "select", Encryption.RANDOMIZED,
                        "ALTER TABLE public.t ADD CONSTRAINT pgseal_envelope_select CHECK (\"select\" IS NULL OR"
                                + " (octet_length(\"select\") >= 38 AND get_byte(\"select\", 0) = 2"
                                + " AND get_byte(\"select\", 1) = 1));"));
    }

    @ParameterizedTest(name = "{0}.{1} {2}")
    @MethodSource("statements")
    void spellsTheVersionModeAndMinimumLengthFromTheEnvelopeShape(String table, String column, Encryption encryption,
            String expected) {
        assertThat(EnvelopeConstraint.addStatement(QualifiedName.parse(table), column(column, encryption)))
                .isEqualTo(expected);
    }

    @Test
    void takesItsNumbersFromEnvelopeShape() {
        assertThat(EnvelopeConstraint.expression("c", Encryption.DETERMINISTIC)).isEqualTo(
                "c IS NULL OR (octet_length(c) >= " + EnvelopeShape.MIN_DETERMINISTIC_LENGTH + " AND get_byte(c, 0) = "
                        + EnvelopeShape.FORMAT_VERSION + " AND get_byte(c, 1) = " + EnvelopeShape.MODE_DETERMINISTIC + ")");
    }

    static Stream<Arguments> names() {
        String a47 = "a".repeat(47);
        String a48 = "a".repeat(48);
        return Stream.of(
                Arguments.of("ssn", "pgseal_envelope_ssn"),
                Arguments.of("Card No", "pgseal_envelope_Card No"),
                Arguments.of(a47, "pgseal_envelope_" + a47),                   // exactly 63 bytes: kept
                Arguments.of(a48, "pgseal_envelope_" + "a".repeat(38) + "_" + sha8(a48)),
                Arguments.of("é".repeat(30), "pgseal_envelope_" + "é".repeat(19) + "_" + sha8("é".repeat(30))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void namesTheConstraintAfterTheColumnAndShortensLongNamesWithAHash(String column, String expected) {
        String name = EnvelopeConstraint.name(column);
        assertThat(name).isEqualTo(expected);
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
    }

    @Test
    void shortenedNamesOfColumnsThatShareAPrefixDiffer() {
        String prefix = "x".repeat(60);
        assertThat(EnvelopeConstraint.name(prefix + "_one")).isNotEqualTo(EnvelopeConstraint.name(prefix + "_two"))
                .isEqualTo(EnvelopeConstraint.name(prefix + "_one"));
    }

    static Stream<Arguments> definitions() {
        // as PostgreSQL 15's pg_get_constraintdef prints them (see EnvelopeConstraintIT)
        String ssn = "CHECK (((ssn IS NULL) OR ((octet_length(ssn) >= 26) AND (get_byte(ssn, 0) = 2)"
                + " AND (get_byte(ssn, 1) = 2))))";
        return Stream.of(
                Arguments.of("the deparsed form", ssn, "ssn", Encryption.DETERMINISTIC, true),
                Arguments.of("with NOT VALID", ssn + " NOT VALID", "ssn", Encryption.DETERMINISTIC, true),
                Arguments.of("with NO INHERIT NOT VALID", ssn + " NO INHERIT NOT VALID", "ssn", Encryption.DETERMINISTIC, true),
                Arguments.of("on a domain over bytea", "CHECK (((\"Mixed Case\" IS NULL) OR ((octet_length((\"Mixed Case\")::bytea)"
                        + " >= 26) AND (get_byte((\"Mixed Case\")::bytea, 0) = 2) AND (get_byte((\"Mixed Case\")::bytea, 1) = 2))))",
                        "Mixed Case", Encryption.DETERMINISTIC, true),
                Arguments.of("a key word the deparser quotes", "CHECK (((\"int\" IS NULL) OR ((octet_length(\"int\") >= 38)"
                        + " AND (get_byte(\"int\", 0) = 2) AND (get_byte(\"int\", 1) = 1))))", "int", Encryption.RANDOMIZED, true),
                Arguments.of("the other mode byte", ssn.replace("get_byte(ssn, 1) = 2", "get_byte(ssn, 1) = 1"),
                        "ssn", Encryption.DETERMINISTIC, false),
                Arguments.of("a randomized column checked as deterministic", ssn, "ssn", Encryption.RANDOMIZED, false),
                Arguments.of("an older format version", ssn.replace("get_byte(ssn, 0) = 2", "get_byte(ssn, 0) = 1"),
                        "ssn", Encryption.DETERMINISTIC, false),
                Arguments.of("without the length test", "CHECK (((ssn IS NULL) OR ((get_byte(ssn, 0) = 2)"
                        + " AND (get_byte(ssn, 1) = 2))))", "ssn", Encryption.DETERMINISTIC, false),
                Arguments.of("OR where AND belongs", "CHECK (((ssn IS NULL) OR ((octet_length(ssn) >= 26) OR"
                        + " (get_byte(ssn, 0) = 2) AND (get_byte(ssn, 1) = 2))))", "ssn", Encryption.DETERMINISTIC, false),
                Arguments.of("regrouped parentheses", "CHECK ((((ssn IS NULL) OR (octet_length(ssn) >= 26)) AND"
                        + " (get_byte(ssn, 0) = 2) AND (get_byte(ssn, 1) = 2)))", "ssn", Encryption.DETERMINISTIC, false),
                Arguments.of("another column", ssn.replace("ssn", "email"), "ssn", Encryption.DETERMINISTIC, false),
                Arguments.of("a quoted column of another case", ssn.replace("ssn", "\"SSN\""), "ssn",
                        Encryption.DETERMINISTIC, false));
    }

    @ParameterizedTest(name = "{0}: {4}")
    @MethodSource("definitions")
    void matchesTheDeparsedDefinitionAndNothingElse(String name, String definition, String column,
            Encryption encryption, boolean matches) {
        assertThat(EnvelopeConstraint.matches(definition, column, encryption)).isEqualTo(matches);
    }

    private static String sha8(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
