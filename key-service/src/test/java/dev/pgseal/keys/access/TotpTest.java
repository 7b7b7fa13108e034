package dev.pgseal.keys.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 6238 codes against the RFC's own test vectors, base32 against RFC 4648's, and the otpauth URI. */
class TotpTest {

    // RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's block-friendly length.
    private static final String SEED_20 = "12345678901234567890";
    private static final String SEED_32 = "12345678901234567890123456789012";
    private static final String SEED_64 = "1234567890123456789012345678901234567890123456789012345678901234";

    static Stream<Arguments> rfc6238AppendixB() {
        return Stream.of(
                Arguments.of(59L, "94287082", "HmacSHA1"), Arguments.of(59L, "46119246", "HmacSHA256"),
                Arguments.of(59L, "90693936", "HmacSHA512"),
                Arguments.of(1111111109L, "07081804", "HmacSHA1"), Arguments.of(1111111109L, "68084774", "HmacSHA256"),
                Arguments.of(1111111109L, "25091201", "HmacSHA512"),
                Arguments.of(1111111111L, "14050471", "HmacSHA1"), Arguments.of(1111111111L, "67062674", "HmacSHA256"),
                Arguments.of(1111111111L, "99943326", "HmacSHA512"),
                Arguments.of(1234567890L, "89005924", "HmacSHA1"), Arguments.of(1234567890L, "91819424", "HmacSHA256"),
                Arguments.of(1234567890L, "93441116", "HmacSHA512"),
                Arguments.of(2000000000L, "69279037", "HmacSHA1"), Arguments.of(2000000000L, "90698825", "HmacSHA256"),
                Arguments.of(2000000000L, "38618901", "HmacSHA512"),
                Arguments.of(20000000000L, "65353130", "HmacSHA1"), Arguments.of(20000000000L, "77737706", "HmacSHA256"),
                Arguments.of(20000000000L, "47863826", "HmacSHA512"));
    }

    private static SecretBytes seed(String algorithm) {
        String s = switch (algorithm) {
            case "HmacSHA1" -> SEED_20;
            case "HmacSHA256" -> SEED_32;
            default -> SEED_64;
        };
        return SecretBytes.copyOf(s.getBytes(StandardCharsets.US_ASCII), SecretAccess.INSTANCE);
    }

    @ParameterizedTest(name = "T = {0} s, {2}: {1}")
    @MethodSource("rfc6238AppendixB")
    void codesMatchTheRfc6238TestVectors(long unixSeconds, String expected, String algorithm) {
        Totp totp = Totp.create(algorithm, 8, Duration.ofSeconds(30));
        long step = totp.stepAt(Instant.ofEpochSecond(unixSeconds));

        assertThat(totp.code(seed(algorithm), step)).isEqualTo(expected);
        assertThat(totp.matches(seed(algorithm), step, expected)).isTrue();
        assertThat(totp.matches(seed(algorithm), step + 1, expected)).isFalse();
    }

    @ParameterizedTest(name = "T = {0} s: {1}")
    @CsvSource({"59, 287082", "1111111109, 081804", "1111111111, 050471", "1234567890, 005924", "2000000000, 279037",
        "20000000000, 353130"})
    void theDefaultIsSixDigitsOfTheSameHotpValue(long unixSeconds, String expected) {
        // Six digits are the same truncated value modulo 10^6: the last six of the 8-digit vectors.
        Totp totp = Totp.DEFAULT;
        assertThat(totp.code(seed("HmacSHA1"), totp.stepAt(Instant.ofEpochSecond(unixSeconds)))).isEqualTo(expected);
    }

    @Test
    void stepsAreWholeThirtySecondIntervalsFromTheEpoch() {
        assertThat(Totp.DEFAULT.stepAt(Instant.ofEpochSecond(0))).isZero();
        assertThat(Totp.DEFAULT.stepAt(Instant.ofEpochSecond(29))).isZero();
        assertThat(Totp.DEFAULT.stepAt(Instant.ofEpochSecond(30))).isEqualTo(1);
        assertThat(Totp.DEFAULT.stepAt(Instant.ofEpochSecond(1111111109))).isEqualTo(0x23523EC);
        assertThat(Totp.DEFAULT.startOf(0x23523EC)).isEqualTo(Instant.ofEpochSecond(1111111080));
    }

    @ParameterizedTest(name = "\"{0}\" well formed: {1}")
    @CsvSource({"123456, true", "012345, true", "12345, false", "1234567, false", "12a456, false", "'', false",
        "'123 56', false", "١٢٣٤٥٦, false"})
    void onlySixAsciiDigitsAreACode(String text, boolean wellFormed) {
        assertThat(Totp.DEFAULT.wellFormed(text)).isEqualTo(wellFormed);
    }

    @ParameterizedTest(name = "base32(\"{0}\") = \"{1}\"")
    @CsvSource({"'', ''", "f, MY", "fo, MZXQ", "foo, MZXW6", "foob, MZXW6YQ", "fooba, MZXW6YTB", "foobar, MZXW6YTBOI"})
    void base32FollowsRfc4648WithoutPadding(String plain, String encoded) {
        assertThat(Base32.encode(plain.getBytes(StandardCharsets.US_ASCII))).isEqualTo(encoded);
        assertThat(Base32.decode(encoded)).isEqualTo(plain.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void base32ReadsWhatPeopleTypeAndRefusesWhatIsNotBase32() {
        assertThat(Base32.decode("mzxw 6ytb-oi======")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Base32.decode("MZXW1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not base32: character 5 is '1'");
        SecretBytes s = SecretBytes.copyOf(SEED_20.getBytes(StandardCharsets.US_ASCII), SecretAccess.INSTANCE);
        assertThat(Totp.base32(s)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assertThat(Totp.parseBase32(Totp.base32(s)).equalsSecret(s)).isTrue();
    }

    @Test
    void theOtpauthUriCarriesIssuerAccountSecretAndParameters() {
        SecretBytes s = SecretBytes.copyOf(SEED_20.getBytes(StandardCharsets.US_ASCII), SecretAccess.INSTANCE);
        assertThat(Totp.DEFAULT.uri("pgseal", "alice@ops", s)).isEqualTo("otpauth://totp/pgseal:alice%40ops"
                + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=pgseal&algorithm=SHA1&digits=6&period=30");
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> Totp.create("HmacMD5", 6, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HmacSHA1");
        assertThatThrownBy(() -> Totp.create("HmacSHA1", 5, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 to 8 digits");
        assertThatThrownBy(() -> Totp.create("HmacSHA1", 6, Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of seconds");
        assertThat(Totp.DEFAULT.toString()).isEqualTo("Totp[HmacSHA1, 6 digits, 30 s]");
    }
}
