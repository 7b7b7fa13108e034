package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogicalTypeTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            text                          | text
            TEXT                          | text
            varchar(40)                   | varchar(40)
            character varying(40)         | varchar(40)
            Character  Varying ( 40 )     | varchar(40)
            varchar                       | varchar
            char(4)                       | char(4)
            character                     | char(1)
            char                          | char(1)
            bpchar(2)                     | char(2)
            smallint                      | int2
            int                           | int4
            integer                       | int4
            bigint                        | int8
            decimal                       | numeric
            double precision              | float8
            boolean                       | bool
            date                          | date
            timestamp without time zone   | timestamp
            timestamp with time zone      | timestamptz
            uuid                          | uuid
            bytea                         | bytea
            jsonb                         | jsonb
            """)
    void parsesCanonicalNamesAndPostgresAliases(String text, String canonical) {
        assertThat(LogicalType.parse(text)).map(LogicalType::toString).contains(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "string", "json", "int4(3)", "varchar(0)", "varchar(10485761)", "varchar(x)",
            "numeric(10,2)", "text[]", "int 4"})
    void refusesUnknownTypesAndMalformedLengths(String text) {
        assertThat(LogicalType.parse(text)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void reportsTheClientTypeOid() {
        assertThat(LogicalType.parse("integer").orElseThrow().kind().typeOid()).isEqualTo(23);
        assertThat(LogicalType.parse("varchar(3)").orElseThrow().kind().typeOid()).isEqualTo(1043);
    }
}
