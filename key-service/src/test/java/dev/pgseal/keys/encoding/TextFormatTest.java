package dev.pgseal.keys.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text inputs that PostgreSQL treats as the same value give the same canonical bytes, and print as
 * PostgreSQL prints that value (outputs checked against PostgreSQL 15).
 */
class TextFormatTest {

    static Stream<Arguments> equivalentInputs() {
        return Stream.of(
                // type, expected output, inputs that all mean it
                Arguments.of("int4", "42", new String[] {"42", "042", " 42", "42 ", "+42", "\t0042\n"}),
                Arguments.of("int4", "0", new String[] {"0", "-0", "+000"}),
                Arguments.of("int4", "-2147483648", new String[] {"-2147483648"}),
                Arguments.of("int2", "32767", new String[] {"32767", "032767"}),
                Arguments.of("int8", "-9223372036854775808", new String[] {"-9223372036854775808"}),
                Arguments.of("numeric", "1.5", new String[] {"1.5", "1.50", "01.500", " 1.5 ", "15e-1", "0.15E1", "+1.5"}),
                Arguments.of("numeric", "0", new String[] {"0", "-0", "0.000", "-0.0", "0e10"}),
                Arguments.of("numeric", "100", new String[] {"100", "1e2", "100.00", "1E+2"}),
                Arguments.of("numeric", "0.0015", new String[] {"0.0015", "1.5e-3", ".0015"}),
                Arguments.of("numeric", "5", new String[] {"5", "5."}),
                Arguments.of("numeric", "-12345678901234567890.123456789", new String[] {"-12345678901234567890.1234567890"}),
                Arguments.of("numeric", "NaN", new String[] {"NaN", "nan", " NAN "}),
                Arguments.of("numeric", "Infinity", new String[] {"Infinity", "inf", "+INF"}),
                Arguments.of("numeric", "-Infinity", new String[] {"-Infinity", "-inf"}),
                Arguments.of("float8", "1.5", new String[] {"1.5", "1.50", "15e-1", " 1.5"}),
                Arguments.of("float8", "0.1", new String[] {"0.1", ".1", "1e-1"}),
                Arguments.of("float8", "0", new String[] {"0", "-0", "0.0", "-0e5"}),
                Arguments.of("float8", "1e+100", new String[] {"1e100", "1E+100"}),
                Arguments.of("float8", "1.2345678901234568e+17", new String[] {"123456789012345678"}),
                Arguments.of("float8", "1e+15", new String[] {"1e15", "1000000000000000"}),
                Arguments.of("float8", "100000000000000", new String[] {"1e14"}),
                Arguments.of("float8", "0.0001", new String[] {"1e-4"}),
                Arguments.of("float8", "1e-05", new String[] {"0.00001"}),
                Arguments.of("float8", "-3.141592653589793", new String[] {"-3.141592653589793", "-3.1415926535897932384"}),
                Arguments.of("float8", "1.7976931348623157e+308", new String[] {"1.7976931348623157e308"}),
                Arguments.of("float8", "5e-324", new String[] {"4.9e-324"}),
                Arguments.of("float8", "NaN", new String[] {"NaN", "nan"}),
                Arguments.of("float8", "-Infinity", new String[] {"-Infinity", "-inf"}),
                Arguments.of("bool", "t", new String[] {"t", "true", "TRUE", " tr ", "yes", "y", "on", "1", "On"}),
                Arguments.of("bool", "f", new String[] {"f", "false", "fa", "no", "N", "off", "of", "0"}),
                Arguments.of("date", "2024-01-02", new String[] {"2024-01-02", "2024-1-2", " 2024-01-02 ", "2024-01-02 03:04:05"}),
                Arguments.of("date", "1970-01-01", new String[] {"epoch", "1970-01-01"}),
                Arguments.of("date", "0044-03-15 BC", new String[] {"0044-03-15 BC", "44-03-15 bc".replace("44-", "0044-")}),
                Arguments.of("date", "infinity", new String[] {"infinity", "Infinity", " INFINITY "}),
                Arguments.of("date", "-infinity", new String[] {"-infinity"}),
                Arguments.of("date", "10000-01-01", new String[] {"10000-01-01"}),
                Arguments.of("timestamp", "2024-01-02 03:04:05", new String[] {"2024-01-02 03:04:05", "2024-01-02T03:04:05",
                        "2024-01-02 03:04:05.000", "2024-01-02 03:04:05+02", "2024-01-02 03:04:05 Europe/Paris"}),
                Arguments.of("timestamp", "2024-01-02 03:04:05.123457", new String[] {"2024-01-02 03:04:05.1234567", "2024-01-02 03:04:05.123457"}),
                Arguments.of("timestamp", "2024-01-03 00:00:00", new String[] {"2024-01-02 24:00:00", "2024-01-03", "2024-01-03 00:00"}),
                Arguments.of("timestamp", "1970-01-01 00:00:00", new String[] {"epoch"}),
                Arguments.of("timestamp", "0001-01-01 00:00:00 BC", new String[] {"0001-01-01 00:00:00 BC"}),
                Arguments.of("timestamptz", "2024-01-02 01:04:05+00", new String[] {"2024-01-02 03:04:05+02", "2024-01-02 03:04:05+02:00",
                        "2024-01-02 03:04:05+0200", "2024-01-02 01:04:05Z", "2024-01-02 01:04:05", "2024-01-02T01:04:05 UTC",
                        "2024-01-02 02:04:05 Europe/Paris", "2024-01-01 20:04:05-05"}),
                Arguments.of("timestamptz", "2024-01-02 08:34:05.5+00", new String[] {"2024-01-02 03:04:05.5-05:30"}),
                Arguments.of("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", new String[] {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                        "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b4ef8-bb6d6bb9bd380a11}",
                        "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"}),
                Arguments.of("bytea", "\\xdeadbeef", new String[] {"\\xdeadbeef", "\\xDEADBEEF", "\\x de ad\nbe ef", "\\336\\255\\276\\357"}),
                Arguments.of("bytea", "\\x615c62", new String[] {"a\\\\b", "\\x615C62", "\\141\\134b"}),
                Arguments.of("bytea", "\\x", new String[] {"", "\\x"}),
                Arguments.of("bytea", "\\xc3a9", new String[] {"é"}),
                Arguments.of("text", "hello ", new String[] {"hello "}),
                Arguments.of("varchar(5)", "abc  ", new String[] {"abc  "}),
                Arguments.of("varchar(5)", "abcde", new String[] {"abcde", "abcde   "}),
                Arguments.of("varchar(3)", "äöü", new String[] {"äöü", "äöü "}),
                Arguments.of("char(5)", "ab   ", new String[] {"ab", "ab ", "ab   ", "ab      "}),
                Arguments.of("jsonb", "{\"a\": [1, 2.50, {\"x\": null}], \"b\": true, \"aa\": 2}", new String[] {
                        "{\"b\":1, \"aa\":2,\"a\":[1,2.50,{\"x\":null}], \"b\":true}",
                        " {\"aa\" : 2, \"a\" : [ 1 , 2.50 , { \"x\" : null } ] , \"b\" : true } "}),
                Arguments.of("jsonb", "100", new String[] {"100", "1e2", "1.00e2"}),
                Arguments.of("jsonb", "\"x\\ny\\u0001é\"", new String[] {"\"x\\ny\\u0001\\u00e9\"", "\"x\\u000ay\\u0001é\""}),
                Arguments.of("jsonb", "[]", new String[] {"[]", " [ ] "}),
                Arguments.of("jsonb", "{}", new String[] {"{}"}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("equivalentInputs")
    void equivalentTextInputsGiveOneCanonicalValueThatPrintsAsPostgresDoes(String type, String expected, String[] inputs) {
        CanonicalCodec codec = CanonicalCodec.forType(LogicalType.parse(type).orElseThrow());
        byte[] canonical = codec.fromText(inputs[0]);
        for (String input : inputs) {
            assertThat(codec.fromText(input)).as("input [%s]", input).isEqualTo(canonical);
        }
        assertThat(codec.toText(canonical)).isEqualTo(expected);
        assertThat(codec.fromText(expected)).isEqualTo(canonical);
    }

    static Stream<Arguments> sessionZones() {
        return Stream.of(
                Arguments.of("Europe/Paris", "2024-07-01 12:00:00", "2024-07-01 12:00:00+02", "2024-07-01 10:00:00+00"),
                Arguments.of("Europe/Paris", "2024-01-01 12:00:00", "2024-01-01 12:00:00+01", "2024-01-01 11:00:00+00"),
                Arguments.of("Asia/Kolkata", "2024-01-02 03:04:05+02", "2024-01-02 06:34:05+05:30", "2024-01-02 01:04:05+00"),
                Arguments.of("America/New_York", "2024-01-02 03:04:05.25", "2024-01-02 03:04:05.25-05", "2024-01-02 08:04:05.25+00"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sessionZones")
    void timestamptzReadsAndPrintsInTheSessionZone(String zone, String input, String inZone, String inUtc) {
        CanonicalCodec codec = CanonicalCodec.forType(LogicalType.of(LogicalType.Kind.TIMESTAMPTZ));
        byte[] canonical = codec.fromText(input, ZoneId.of(zone));
        assertThat(codec.toText(canonical, ZoneId.of(zone))).isEqualTo(inZone);
        assertThat(codec.toText(canonical, ZoneOffset.UTC)).isEqualTo(inUtc);
        assertThat(codec.fromText(inUtc, ZoneId.of("Asia/Tokyo"))).isEqualTo(canonical);
    }

    static Stream<Arguments> invalidInputs() {
        return Stream.of(
                Arguments.of("int4", "", "22P02"), Arguments.of("int4", "4 2", "22P02"), Arguments.of("int4", "1.0", "22P02"),
                Arguments.of("int4", "0x2A", "22P02"), Arguments.of("int4", "+", "22P02"), Arguments.of("int4", "٤٢", "22P02"),
                Arguments.of("int4", "2147483648", "22003"), Arguments.of("int2", "-32769", "22003"),
                Arguments.of("int8", "99999999999999999999", "22003"),
                Arguments.of("numeric", "1.2.3", "22P02"), Arguments.of("numeric", "abc", "22P02"), Arguments.of("numeric", "1e", "22P02"),
                Arguments.of("numeric", "1e1001", "22P02"), Arguments.of("numeric", "1_000", "22P02"),
                Arguments.of("float8", "1d", "22P02"), Arguments.of("float8", "0x10", "22P02"), Arguments.of("float8", "", "22P02"),
                Arguments.of("float8", "1e309", "22003"), Arguments.of("float8", "1e-400", "22003"),
                Arguments.of("bool", "o", "22P02"), Arguments.of("bool", "tru e", "22P02"), Arguments.of("bool", "2", "22P02"),
                Arguments.of("bool", "", "22P02"),
                Arguments.of("date", "2024-02-30", "22008"), Arguments.of("date", "2024/01/02", "22007"),
                Arguments.of("date", "today", "22007"), Arguments.of("date", "0000-01-01", "22008"),
                Arguments.of("timestamp", "2024-01-02 25:00:00", "22008"), Arguments.of("timestamp", "now", "22007"),
                Arguments.of("timestamp", "294277-01-01 00:00:00", "22008"),
                Arguments.of("timestamptz", "2024-01-02 03:04:05 Mars/Olympus", "22023"),
                Arguments.of("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "22P02"),
                Arguments.of("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", "22P02"),
                Arguments.of("uuid", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "22P02"),
                Arguments.of("uuid", "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11", "22P02"),
                Arguments.of("uuid", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "22P02"),
                Arguments.of("bytea", "\\xabc", "22023"), Arguments.of("bytea", "\\xzz", "22023"),
                Arguments.of("bytea", "\\9", "22P02"), Arguments.of("bytea", "a\\", "22P02"),
                Arguments.of("varchar(3)", "abcd", "22001"), Arguments.of("char(2)", "abc", "22001"),
                Arguments.of("text", "a\0b", "22021"),
                Arguments.of("jsonb", "{\"a\":1,}", "22P02"), Arguments.of("jsonb", "", "22P02"), Arguments.of("jsonb", "1 2", "22P02"),
                Arguments.of("jsonb", "NaN", "22P02"), Arguments.of("jsonb", "{'a':1}", "22P02"), Arguments.of("jsonb", "01", "22P02"),
                Arguments.of("jsonb", "\"\\u0000\"", "22P05"), Arguments.of("jsonb", "\"\\ud800\"", "22P02"));
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("invalidInputs")
    void invalidTextIsAUserErrorWithPostgresSqlState(String type, String input, String sqlState) {
        CanonicalCodec codec = CanonicalCodec.forType(LogicalType.parse(type).orElseThrow());
        assertThatThrownBy(() -> codec.fromText(input))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(sqlState);
                    if (!input.isBlank() && input.length() > 3) {
                        assertThat(e.getMessage()).as("never echoes the value").doesNotContain(input);
                    }
                });
    }

    static Stream<Arguments> everyKind() {
        return Arrays.stream(LogicalType.Kind.values()).map(Arguments::of);
    }
}
