package dev.pgseal.keys.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** HKDF-SHA256 against RFC 5869 Appendix A (test cases 1 to 3) and Bouncy Castle's generator. */
class HkdfTest {

    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> rfc5869Sha256() {
        return Stream.of(
                Arguments.of("case 1", "0b".repeat(22), "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
                        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
                Arguments.of("case 2", range(0x00, 80), range(0x60, 80), range(0xb0, 80), 82,
                        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                                + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
                Arguments.of("case 3", "0b".repeat(22), "", "", 42,
                        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc5869Sha256")
    void reproducesTheRfc5869Sha256TestVectors(String name, String ikm, String salt, String info, int length,
            String prk, String okm) {
        assertThat(HEX.formatHex(Hkdf.extract(HEX.parseHex(ikm), HEX.parseHex(salt)))).isEqualTo(prk);
        assertThat(HEX.formatHex(Hkdf.deriveSha256(HEX.parseHex(ikm), HEX.parseHex(salt), HEX.parseHex(info), length)))
                .isEqualTo(okm);
    }

    @Test
    void aMissingSaltMeansHashLengthZeroBytes() {
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        assertThat(Hkdf.deriveSha256(ikm, null, null, 42)).isEqualTo(Hkdf.deriveSha256(ikm, new byte[32], new byte[0], 42));
    }

    @Test
    void matchesBouncyCastleOnSeededRandomInputs() {
        Random random = new Random(5869);
        for (int i = 0; i < 200; i++) {
            byte[] ikm = bytes(random, 1 + random.nextInt(64));
            byte[] salt = bytes(random, random.nextInt(80));
            byte[] info = bytes(random, random.nextInt(80));
            int length = 1 + random.nextInt(300);
            HKDFBytesGenerator reference = new HKDFBytesGenerator(new SHA256Digest());
            reference.init(new HKDFParameters(ikm, salt, info));
            byte[] expected = new byte[length];
            reference.generateBytes(expected, 0, length);
            assertThat(Hkdf.deriveSha256(ikm, salt, info, length)).as("case %d", i).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 255 * 32 + 1})
    void outputLengthsOutsideRfc5869sBoundAreRefused(int length) {
        assertThatThrownBy(() -> Hkdf.deriveSha256(new byte[32], null, null, length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1..8160");
    }

    private static String range(int first, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(String.format("%02x", first + i));
        }
        return sb.toString();
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
