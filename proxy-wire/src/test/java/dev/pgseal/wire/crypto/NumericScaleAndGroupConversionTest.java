package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.RoleSet;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ValueUse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A randomized {@code numeric} column keeps the display scale PostgreSQL would store (from text,
 * binary and declared types, through PostgreSQL's casts); a deterministic one keeps the equality
 * form; and a grouped column's envelopes bind its equality group.
 */
class NumericScaleAndGroupConversionTest {

    @ParameterizedTest(name = "{0} {1} declared {2} format {3}: {4} -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            # column type | encryption | declared OID | format | input | PostgreSQL's stored value, printed
            numeric | RANDOMIZED    | 0    | 0 | 1.50                     | 1.50
            numeric | RANDOMIZED    | 0    | 0 | ' 0.000 '                | 0.000
            numeric | RANDOMIZED    | 0    | 1 | 0x000200000000000200011388 | 1.50
            numeric | RANDOMIZED    | 1700 | 0 | 12.340                   | 12.340
            numeric | RANDOMIZED    | 701  | 0 | 1.5                      | 1.5
            numeric | RANDOMIZED    | 701  | 0 | 0.1                      | 0.1
            numeric | RANDOMIZED    | 701  | 0 | 100                      | 100
            numeric | RANDOMIZED    | 701  | 0 | 1e20                     | 100000000000000000000
            numeric | RANDOMIZED    | 701  | 0 | 1.5e-7                   | 0.00000015
            numeric | RANDOMIZED    | 23   | 0 | 7                        | 7
            numeric | RANDOMIZED    | 20   | 1 | 0x000000000000002a       | 42
            numeric | DETERMINISTIC | 0    | 0 | 1.50                     | 1.5
            numeric | DETERMINISTIC | 0    | 1 | 0x000200000000000200011388 | 1.5
            text    | RANDOMIZED    | 1700 | 0 | 1.50                     | 1.50
            text    | DETERMINISTIC | 1700 | 1 | 0x000200000000000200011388 | 1.50
            int4    | DETERMINISTIC | 1700 | 0 | 2.50                     | 3
            """)
    void storesWhatPostgresqlWouldStore(String type, Encryption encryption, int declared, int format, String input,
            String expected) {
        ColumnRef column = TestKeys.column("c", type, encryption, OnUnauthorized.NULLIFY, null);
        byte[] value = input.startsWith("0x") ? HexFormat.of().parseHex(input.substring(2))
                : input.getBytes(StandardCharsets.UTF_8);
        byte[] canonical = ValueConversion.fromParameter(column, ValueUse.STORE, "parameter $1", declared, format,
                value, ZoneOffset.UTC).orElseThrow();
        assertThat(ValueConversion.codec(column.column().type()).toText(canonical)).isEqualTo(expected);
    }

    @Test
    void literalsInARandomizedNumericColumnKeepTheirScale() {
        ColumnRef column = TestKeys.column("c", "numeric", Encryption.RANDOMIZED, OnUnauthorized.NULLIFY, null);
        byte[] canonical = ValueConversion.fromLiteral(column, ValueUse.STORE, "3.1400", ZoneOffset.UTC).orElseThrow();
        assertThat(ValueConversion.codec(column).toText(canonical)).isEqualTo("3.1400");
    }

    @Test
    void equalNumbersMatchADeterministicColumnWhateverTheirScale() {
        ColumnRef column = TestKeys.column("c", "numeric");
        assertThat(ValueConversion.fromParameter(column, ValueUse.MATCH, "parameter $1", 1700, 0,
                "1.5000".getBytes(StandardCharsets.UTF_8), ZoneOffset.UTC).orElseThrow())
                .isEqualTo(ValueConversion.fromLiteral(column, ValueUse.STORE, "1.5", ZoneOffset.UTC).orElseThrow());
    }

    @Test
    void aGroupedColumnsEnvelopesBindItsGroup() {
        ColumnRef patients = grouped("patients", "ssn");
        ColumnRef claims = grouped("claims", "member_ssn");
        ColumnIdentity a = ParameterEncryption.identity(patients);
        ColumnIdentity b = ParameterEncryption.identity(claims);
        assertThat(a.group()).contains("ssn");
        assertThat(a.sharesEnvelopesWith(b)).isTrue();
        assertThat(a.table()).isEqualTo("patients");
        ColumnIdentity ungrouped = ParameterEncryption.identity(TestKeys.column("ssn", "text"));
        assertThat(ungrouped.group()).isEmpty();
        assertThat(ungrouped.sharesEnvelopesWith(a)).isFalse();
    }

    private static ColumnRef grouped(String table, String column) {
        return new ColumnRef(new QualifiedName("public", table), new ColumnPolicy(column,
                LogicalType.of(LogicalType.Kind.TEXT), Encryption.DETERMINISTIC, "k", RoleSet.all(), RoleSet.all(),
                OnUnauthorized.ERROR, Optional.empty(), Optional.of("ssn")));
    }
}
