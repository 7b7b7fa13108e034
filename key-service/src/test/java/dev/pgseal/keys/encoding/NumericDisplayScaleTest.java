package dev.pgseal.keys.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code numeric}'s two encodings: randomized columns keep the display scale PostgreSQL keeps
 * ({@code 1.50} reads back as {@code 1.50}), deterministic columns keep the equality form
 * ({@code 1.5} and {@code 1.50} encrypt equally, as PostgreSQL calls them equal), and each codec
 * reads what the other wrote, including values written before the display form existed.
 */
class NumericDisplayScaleTest {

    private static final LogicalType NUMERIC = LogicalType.of(LogicalType.Kind.NUMERIC);
    private static final CanonicalCodec RANDOMIZED = CanonicalCodec.forColumn(NUMERIC, EncryptionMode.RANDOMIZED);
    private static final CanonicalCodec DETERMINISTIC = CanonicalCodec.forColumn(NUMERIC, EncryptionMode.DETERMINISTIC);
    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource(delimiter = '|', value = {
            // input | what PostgreSQL 15 prints for input::numeric
            "1.50 | 1.50", "1.5 | 1.5", "01.500 | 1.500", "' 1.50 ' | 1.50", "0.00 | 0.00", "-0.0 | 0.0", "0 | 0",
            "1e3 | 1000", "1.50e1 | 15.0", "15e-1 | 1.5", "1.5E-3 | 0.0015", ".0015 | 0.0015", "5. | 5",
            "-12.3400 | -12.3400", "100.00 | 100.00", "+7.10 | 7.10", "NaN | NaN", "-inf | -Infinity"})
    void randomizedColumnsReadBackAtTheDisplayScalePostgresKeeps(String input, String printed) {
        assertThat(RANDOMIZED.toText(RANDOMIZED.fromText(input))).isEqualTo(printed);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1.5, 1.50, 1.500", "0, 0.00, -0.0", "100, 1e2, 100.00", "-12.34, -12.340, -1234e-2"})
    void deterministicColumnsEncryptEqualNumbersEquallyWhateverTheirScale(String a, String b, String c) {
        assertThat(DETERMINISTIC.fromText(b)).isEqualTo(DETERMINISTIC.fromText(a));
        assertThat(DETERMINISTIC.fromText(c)).isEqualTo(DETERMINISTIC.fromText(a));
        assertThat(DETERMINISTIC.fromText(a)).isEqualTo(CanonicalCodec.forType(NUMERIC).fromText(a));
        // the documented difference: the minimal scale
        assertThat(DETERMINISTIC.toText(DETERMINISTIC.fromText(b))).isEqualTo(DETERMINISTIC.toText(DETERMINISTIC.fromText(a)));
    }

    @Test
    void theTwoEncodingsAreTaggedAndNeverChange() {
        // tag 0 (equality form): scale 1, unscaled 15; tag 4 (display form): scale 2, unscaled 150
        assertThat(HEX.formatHex(DETERMINISTIC.fromText("1.50"))).isEqualTo("00" + "00000001" + "0f");
        assertThat(HEX.formatHex(RANDOMIZED.fromText("1.50"))).isEqualTo("04" + "00000002" + "0096");
        assertThat(HEX.formatHex(RANDOMIZED.fromText("-0.00"))).isEqualTo("04" + "00000002" + "00");
        assertThat(HEX.formatHex(RANDOMIZED.fromText("NaN"))).isEqualTo("01");
    }

    @Test
    void valuesWrittenBeforeTheDisplayFormStillDecodeAsTheyDid() {
        byte[] old = HEX.parseHex("00" + "00000001" + "0f"); // what every column stored for 1.50 before
        assertThat(RANDOMIZED.toText(old)).isEqualTo("1.5");
        assertThat(DETERMINISTIC.toText(old)).isEqualTo("1.5");
        assertThat(HEX.formatHex(RANDOMIZED.toBinary(old))).isEqualTo("000200000000000100011388");
    }

    @Test
    void eitherCodecDecodesTheOthersEncoding() {
        assertThat(DETERMINISTIC.toText(RANDOMIZED.fromText("2.250"))).isEqualTo("2.250");
        assertThat(RANDOMIZED.toText(DETERMINISTIC.fromText("2.250"))).isEqualTo("2.25");
    }

    static Stream<Arguments> postgresSendOutput() {
        return Stream.of(
                // numeric_send output of PostgreSQL 15, the value as PostgreSQL prints it
                Arguments.of("000200000000000200011388", "1.50"),
                Arguments.of("000200000000000100011388", "1.5"),
                Arguments.of("0000000000000002", "0.00"),
                Arguments.of("0003000100000003000109291a7c", "12345.678"),
                Arguments.of("0001ffff40000004000f", "-0.0015"),
                Arguments.of("00010000000000000064", "100"),
                Arguments.of("000200000000000400011388", "1.5000"),
                Arguments.of("00010005000000000001", "100000000000000000000"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("postgresSendOutput")
    void randomizedBinaryKeepsTheDisplayScaleByteForByte(String sendHex, String printed) {
        byte[] canonical = RANDOMIZED.fromBinary(HEX.parseHex(sendHex));
        assertThat(RANDOMIZED.toText(canonical)).isEqualTo(printed);
        assertThat(canonical).isEqualTo(RANDOMIZED.fromText(printed));
        // PostgreSQL sends what it stores; trailing zero base-10000 digits are its choice to drop
        assertThat(RANDOMIZED.fromBinary(RANDOMIZED.toBinary(canonical))).isEqualTo(canonical);
        assertThat(DETERMINISTIC.fromBinary(HEX.parseHex(sendHex))).isEqualTo(DETERMINISTIC.fromText(printed));
    }

    @Test
    void binaryDigitsBeyondTheDisplayScaleAreTruncatedAsNumericRecvDoes() {
        // 1.5678 sent with dscale 2: PostgreSQL stores 1.56
        byte[] send = HEX.parseHex("00020000000000020001162e");
        assertThat(RANDOMIZED.toText(RANDOMIZED.fromBinary(send))).isEqualTo("1.56");
        assertThat(DETERMINISTIC.fromBinary(send)).isEqualTo(DETERMINISTIC.fromText("1.56"));
        // -1.5678 truncates toward zero
        assertThat(RANDOMIZED.toText(RANDOMIZED.fromBinary(HEX.parseHex("00020000400000020001162e")))).isEqualTo("-1.56");
    }

    @Test
    void aBinaryDisplayScaleOutsideNumericsMaskIsRefused() {
        assertThatThrownBy(() -> RANDOMIZED.fromBinary(HEX.parseHex("0001000000004000000f")))
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void otherTypesEncodeTheSameInBothModes() {
        for (LogicalType.Kind kind : LogicalType.Kind.values()) {
            LogicalType type = kind.takesLength() ? LogicalType.parse(kind.canonicalName() + "(10)").orElseThrow()
                    : LogicalType.of(kind);
            if (kind == LogicalType.Kind.NUMERIC) {
                continue;
            }
            assertThat(CanonicalCodec.forColumn(type, EncryptionMode.RANDOMIZED).getClass())
                    .isEqualTo(CanonicalCodec.forType(type).getClass());
        }
    }
}
