package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ValueUse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter and literal conversion to a column's logical type, as PostgreSQL converts: every logical
 * type in text and binary, the declared types clients really send, and the errors with their
 * SQLSTATE. Columns: {@code column type | use | declared OID | format | input | expected}, where a
 * binary input is written {@code 0x…}, and the expected value is the column type's text output,
 * {@code NOMATCH} (an equality that no row can satisfy) or {@code ERR:<sqlstate>}.
 */
class ValueConversionTest {

    @ParameterizedTest(name = "{0} {1} declared {2} format {3}: {4} -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            # undeclared, text format: the column type's input
            int4        | STORE | 0    | 0 | 42                          | 42
            int4        | STORE | 0    | 0 | ' 042 '                     | 42
            int4        | STORE | 705  | 0 | 42                          | 42
            int4        | STORE | 0    | 0 | 4x2                         | ERR:22P02
            int4        | STORE | 0    | 0 | 99999999999                 | ERR:22003
            int4        | MATCH | 0    | 0 | 99999999999                 | ERR:22003
            int2        | STORE | 0    | 0 | 40000                       | ERR:22003
            int8        | STORE | 0    | 0 | -9223372036854775808        | -9223372036854775808
            numeric     | STORE | 0    | 0 | 1.50                        | 1.5
            numeric     | STORE | 0    | 0 | one                         | ERR:22P02
            float8      | STORE | 0    | 0 | 1e308                       | 1e+308
            float8      | STORE | 0    | 0 | 1e309                       | ERR:22003
            bool        | STORE | 0    | 0 | yes                         | t
            date        | STORE | 0    | 0 | 2024-02-29                  | 2024-02-29
            date        | STORE | 0    | 0 | 2023-02-29                  | ERR:22008
            timestamp   | STORE | 0    | 0 | 2024-01-01 10:00            | 2024-01-01 10:00:00
            timestamptz | STORE | 0    | 0 | 2024-01-01 10:00+02         | 2024-01-01 08:00:00+00
            uuid        | STORE | 0    | 0 | {A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11} | a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11
            uuid        | STORE | 0    | 0 | not-a-uuid                  | ERR:22P02
            bytea       | STORE | 0    | 0 | \\x0102                     | \\x0102
            jsonb       | STORE | 0    | 0 | '{"b":1, "a":2}'            | '{"a": 2, "b": 1}'
            jsonb       | STORE | 0    | 0 | '{"b":'                     | ERR:22P02
            text        | STORE | 0    | 0 | héllo                       | héllo
            varchar(3)  | STORE | 0    | 0 | abcd                        | ERR:22001
            varchar(3)  | STORE | 0    | 0 | 'abc  '                     | abc
            varchar(3)  | MATCH | 0    | 0 | abcd                        | NOMATCH
            char(3)     | STORE | 0    | 0 | ab                          | 'ab '
            char(3)     | STORE | 1042 | 0 | abcd                        | ERR:22001
            int4        | STORE | 23   | 0 | 42                          | 42
            # undeclared, binary format: the column type's receive
            int4        | STORE | 0    | 1 | 0x0000002a                  | 42
            int4        | STORE | 0    | 1 | 0x2a                        | ERR:22P03
            int2        | STORE | 0    | 1 | 0x002a                      | 42
            int8        | STORE | 0    | 1 | 0x000000000000002a          | 42
            numeric     | STORE | 0    | 1 | 0x000100000000000000 2a     | 42
            float8      | STORE | 0    | 1 | 0x3ff8000000000000          | 1.5
            bool        | STORE | 0    | 1 | 0x01                        | t
            date        | STORE | 0    | 1 | 0x00000000                  | 2000-01-01
            timestamp   | STORE | 0    | 1 | 0x0000000000000000          | 2000-01-01 00:00:00
            timestamptz | STORE | 0    | 1 | 0x0000000000000000          | 2000-01-01 00:00:00+00
            uuid        | STORE | 0    | 1 | 0xa0eebc999c0b4ef8bb6d6bb9bd380a11 | a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11
            bytea       | STORE | 0    | 1 | 0x0102                      | \\x0102
            text        | STORE | 0    | 1 | 0x616263                    | abc
            text        | STORE | 0    | 1 | 0x61ff                      | ERR:22021
            varchar(3)  | STORE | 0    | 1 | 0x61626364                  | ERR:22001
            jsonb       | STORE | 0    | 1 | 0x017b2261223a317d          | '{"a": 1}'
            # declared another type: its input or receive, then PostgreSQL's cast
            int4        | STORE | 20   | 1 | 0x000000000000002a          | 42
            int4        | STORE | 20   | 1 | 0x0000010000000000          | ERR:22003
            int4        | MATCH | 20   | 1 | 0x0000010000000000          | NOMATCH
            int4        | STORE | 21   | 1 | 0x002a                      | 42
            int4        | STORE | 20   | 0 | 42                          | 42
            int4        | STORE | 1700 | 0 | 2.5                         | 3
            int4        | STORE | 1700 | 0 | -2.5                        | -3
            int4        | MATCH | 1700 | 0 | 2.5                         | NOMATCH
            int4        | MATCH | 1700 | 0 | 2.000                       | 2
            int4        | STORE | 1700 | 0 | NaN                         | ERR:0A000
            int4        | STORE | 1700 | 0 | 3e10                        | ERR:22003
            int4        | STORE | 701  | 0 | 2.5                         | 2
            int4        | STORE | 701  | 0 | 3.5                         | 4
            int4        | STORE | 701  | 0 | NaN                         | ERR:22003
            int4        | MATCH | 701  | 1 | 0x4000000000000000          | 2
            int2        | STORE | 23   | 0 | 40000                       | ERR:22003
            int8        | STORE | 23   | 1 | 0xffffffff                  | -1
            numeric     | STORE | 20   | 1 | 0x000000000000002a          | 42
            numeric     | STORE | 701  | 0 | 0.1                         | 0.1
            numeric     | STORE | 701  | 0 | NaN                         | NaN
            numeric     | STORE | 23   | 0 | 7                           | 7
            float8      | STORE | 23   | 0 | 42                          | 42
            float8      | STORE | 1700 | 0 | 1.5                         | 1.5
            float8      | STORE | 1700 | 0 | 1e400                       | ERR:22003
            text        | STORE | 1043 | 0 | abc                         | abc
            text        | STORE | 1042 | 0 | 'ab  '                     | ab
            text        | STORE | 23   | 1 | 0x0000002a                  | 42
            text        | STORE | 16   | 0 | t                           | true
            text        | MATCH | 23   | 0 | 42                          | ERR:42883
            varchar(3)  | STORE | 25   | 0 | abcd                        | ERR:22001
            varchar(3)  | MATCH | 25   | 0 | abcd                        | NOMATCH
            date        | STORE | 1114 | 0 | 2024-01-01 10:00            | 2024-01-01
            date        | MATCH | 1114 | 0 | 2024-01-01 10:00            | NOMATCH
            date        | MATCH | 1114 | 0 | 2024-01-01 00:00            | 2024-01-01
            date        | STORE | 1184 | 0 | 2024-01-01 23:30+00         | 2024-01-01
            timestamp   | STORE | 1082 | 0 | 2024-01-01                  | 2024-01-01 00:00:00
            timestamp   | STORE | 1184 | 0 | 2024-01-01 10:00+02         | 2024-01-01 08:00:00
            timestamptz | STORE | 1114 | 0 | 2024-01-01 10:00            | 2024-01-01 10:00:00+00
            timestamptz | STORE | 1082 | 1 | 0x00000000                  | 2000-01-01 00:00:00+00
            jsonb       | STORE | 114  | 0 | '{"b":1,"a":2}'             | '{"a": 2, "b": 1}'
            jsonb       | STORE | 114  | 1 | '{"b":1}'                   | '{"b": 1}'
            # pairs PostgreSQL refuses
            uuid        | STORE | 25   | 0 | a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 | ERR:42804
            uuid        | MATCH | 1043 | 0 | a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 | ERR:42883
            date        | STORE | 1043 | 0 | 2024-01-01                  | ERR:42804
            bool        | STORE | 23   | 0 | 1                           | ERR:42804
            int4        | STORE | 700  | 1 | 0x3fc00000                  | ERR:42804
            bytea       | STORE | 25   | 0 | abc                         | ERR:42804
            int4        | STORE | 0    | 2 | 42                          | ERR:08P01
            """)
    void convertsAsPostgresqlWould(String type, ValueUse use, int declared, int format, String input, String expected) {
        ColumnRef column = TestKeys.column("c", type);
        byte[] value = input.startsWith("0x")
                ? HexFormat.of().parseHex(input.substring(2).replace(" ", ""))
                : input.getBytes(StandardCharsets.UTF_8);
        if (expected.startsWith("ERR:")) {
            assertThatThrownBy(() -> ValueConversion.fromParameter(column, use, "parameter $1", declared, format, value,
                    ZoneOffset.UTC))
                    .isInstanceOfSatisfying(ProtectedValueException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo(expected.substring(4));
                        assertThat(e.getMessage()).contains("public.people.c");
                        if (input.length() > 3) {
                            assertThat(e.getMessage()).as("never the value").doesNotContain(input);
                        }
                    });
            return;
        }
        Optional<byte[]> canonical = ValueConversion.fromParameter(column, use, "parameter $1", declared, format, value,
                ZoneOffset.UTC);
        if (expected.equals("NOMATCH")) {
            assertThat(canonical).isEmpty();
        } else {
            assertThat(canonical).isPresent();
            assertThat(ValueConversion.codec(column.column().type()).toText(canonical.get(), ZoneOffset.UTC))
                    .isEqualTo(expected);
        }
    }

    @Test
    void timestampsWithoutAnOffsetAndDatesAreReadInTheSessionZone() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        ColumnRef tz = TestKeys.column("c", "timestamptz");
        ColumnRef date = TestKeys.column("c", "date");
        byte[] local = ValueConversion.fromParameter(tz, ValueUse.STORE, "parameter $1", 1114, 0,
                "2024-07-01 12:00".getBytes(StandardCharsets.UTF_8), berlin).orElseThrow();
        assertThat(ValueConversion.codec(tz.column().type()).toText(local, ZoneOffset.UTC))
                .isEqualTo("2024-07-01 10:00:00+00");
        byte[] day = ValueConversion.fromParameter(date, ValueUse.STORE, "parameter $1", 1184, 0,
                "2024-01-01 23:30+00".getBytes(StandardCharsets.UTF_8), berlin).orElseThrow();
        assertThat(ValueConversion.codec(date.column().type()).toText(day, berlin)).isEqualTo("2024-01-02");
    }

    @Test
    void literalsTakeTheColumnTypeAndErrorsNameTheLiteralAndColumn() {
        ColumnRef c = TestKeys.column("age", "int4");
        assertThat(ValueConversion.fromLiteral(c, ValueUse.STORE, "042", ZoneOffset.UTC)).isPresent();
        assertThatThrownBy(() -> ValueConversion.fromLiteral(c, ValueUse.STORE, "forty", ZoneOffset.UTC))
                .isInstanceOfSatisfying(ProtectedValueException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("22P02");
                    assertThat(e.getMessage()).isEqualTo(
                            "invalid input syntax for type integer (a literal, column public.people.age)");
                });
    }
}
