package dev.pgseal.keys.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.keys.WireFormat;
import dev.pgseal.policy.LogicalType;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Binary send formats captured from PostgreSQL 15 ({@code int4send(42)}, {@code numeric_send(1.50)},
 * …) decode to the same canonical value as the text, and encode back byte for byte where the
 * canonical form keeps everything PostgreSQL sent.
 */
class BinaryFormatTest {

    static Stream<Arguments> postgresSendOutput() {
        return Stream.of(
                // type, PostgreSQL's send output, the same value as text, whether toBinary gives those exact bytes
                Arguments.of("int2", "fffe", "-2", true),
                Arguments.of("int4", "0000002a", "42", true),
                Arguments.of("int8", "8000000000000000", "-9223372036854775808", true),
                Arguments.of("numeric", "000200000000000200011388", "1.50", false), // dscale 2 is display only
                Arguments.of("numeric", "000200000000000100011388", "1.5", true),
                Arguments.of("numeric", "0003000100000003000109291a7c", "12345.678", true),
                Arguments.of("numeric", "0001ffff40000004000f", "-0.0015", true),
                Arguments.of("numeric", "0000000000000002", "0.00", false),
                Arguments.of("numeric", "00010000000000000064", "100", true),
                Arguments.of("numeric", "00010005000000000001", "1e20", true),
                Arguments.of("numeric", "00000000c0000000", "NaN", true),
                Arguments.of("numeric", "00000000f0000020", "-Infinity", false),
                Arguments.of("float8", "3ff8000000000000", "1.5", true),
                Arguments.of("float8", "8000000000000000", "-0", false), // -0 folds into 0
                Arguments.of("bool", "01", "true", true),
                Arguments.of("date", "0000223f", "2024-01-02", true),
                Arguments.of("date", "7fffffff", "infinity", true),
                Arguments.of("timestamp", "0002b0ec8517d580", "2024-01-02 03:04:05.123456", true),
                Arguments.of("timestamptz", "0002b0ead7eeab40", "2024-01-02 03:04:05+02", true),
                Arguments.of("uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", true),
                Arguments.of("jsonb", "017b2261223a20322c202262223a20317d", "{\"b\":1,\"a\":2}", true),
                Arguments.of("text", "68c3a96c6c6f", "héllo", true),
                Arguments.of("char(4)", "61622020", "ab", true),
                Arguments.of("bytea", "dead", "\\xDEAD", true));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("postgresSendOutput")
    void postgresBinaryAndTextGiveTheSameCanonicalValue(String type, String sendHex, String text, boolean exact) {
        CanonicalCodec codec = CanonicalCodec.forType(LogicalType.parse(type).orElseThrow());
        byte[] binary = HexFormat.of().parseHex(sendHex);
        byte[] canonical = codec.fromText(text);
        assertThat(codec.fromBinary(binary)).isEqualTo(canonical);
        assertThat(codec.fromWire(binary, WireFormat.BINARY, ZoneOffset.UTC)).isEqualTo(canonical);
        assertThat(codec.fromWire(text.getBytes(StandardCharsets.UTF_8), WireFormat.TEXT, ZoneOffset.UTC)).isEqualTo(canonical);
        assertThat(codec.fromBinary(codec.toBinary(canonical))).isEqualTo(canonical);
        if (exact) {
            assertThat(HexFormat.of().formatHex(codec.toBinary(canonical))).isEqualTo(sendHex);
        }
    }

    static Stream<Arguments> malformedBinary() {
        return Stream.of(
                Arguments.of("int4", "002a"), Arguments.of("int2", "000000"), Arguments.of("int8", ""),
                Arguments.of("float8", "3ff8"), Arguments.of("bool", "0101"), Arguments.of("date", "00"),
                Arguments.of("timestamp", "0002b0ec8517d5"), Arguments.of("uuid", "a0eebc99"),
                Arguments.of("numeric", "0002000000000001"),            // two digits announced, none sent
                Arguments.of("numeric", "0001000000000000ffff"),        // digit out of range
                Arguments.of("numeric", "0001000012340000000a"),        // unknown sign
                Arguments.of("jsonb", "027b7d"), Arguments.of("jsonb", ""), Arguments.of("jsonb", "01ff"),
                Arguments.of("date", "7fffff00"), Arguments.of("timestamp", "7fffffffffff0000"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("malformedBinary")
    void malformedBinaryIsAUserError(String type, String hex) {
        CanonicalCodec codec = CanonicalCodec.forType(LogicalType.parse(type).orElseThrow());
        assertThatThrownBy(() -> codec.fromBinary(HexFormat.of().parseHex(hex))).isInstanceOf(InvalidValueException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("postgresSendOutput")
    void invalidUtf8InTheTextFormatIsRefused(String type) {
        CanonicalCodec codec = CanonicalCodec.forType(LogicalType.parse(type).orElseThrow());
        assertThatThrownBy(() -> codec.fromWire(new byte[] {'4', (byte) 0xC3, '2'}, WireFormat.TEXT, ZoneOffset.UTC))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.sqlState()).isEqualTo("22021"));
    }
}
