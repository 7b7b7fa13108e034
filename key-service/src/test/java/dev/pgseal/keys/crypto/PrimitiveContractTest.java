package dev.pgseal.keys.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The security contract of both primitives: determinism (or not), tamper detection, key checks. */
class PrimitiveContractTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] AD = "column".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PLAINTEXT = "123-45-6789".getBytes(StandardCharsets.UTF_8);

    @Test
    void randomizedEncryptionGivesDifferentCiphertextsThatBothDecrypt() {
        AesGcmAead aead = AesGcmAead.create(SecretBytes.random(32, RANDOM));
        byte[] a = aead.encrypt(PLAINTEXT, AD);
        byte[] b = aead.encrypt(PLAINTEXT, AD);
        assertThat(a).isNotEqualTo(b).hasSize(12 + PLAINTEXT.length + 16);
        assertThat(aead.decrypt(a, AD)).isEqualTo(PLAINTEXT);
        assertThat(aead.decrypt(b, AD)).isEqualTo(PLAINTEXT);
    }

    @Test
    void deterministicEncryptionRepeatsAndDependsOnAssociatedData() {
        AesGcmSivDeterministicAead daead = AesGcmSivDeterministicAead.create(SecretBytes.random(32, RANDOM));
        byte[] a = daead.encryptDeterministically(PLAINTEXT, AD);
        assertThat(daead.encryptDeterministically(PLAINTEXT, AD)).isEqualTo(a);
        assertThat(daead.encryptDeterministically(PLAINTEXT, "other".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(a);
        assertThat(daead.decryptDeterministically(a, AD)).isEqualTo(PLAINTEXT);
    }

    @Test
    void everyFlippedBitFailsWithTheGenericMessageInBothPrimitives() {
        AesGcmAead aead = AesGcmAead.create(SecretBytes.random(32, RANDOM));
        AesGcmSivDeterministicAead daead = AesGcmSivDeterministicAead.create(SecretBytes.random(32, RANDOM));
        byte[] randomized = aead.encrypt(PLAINTEXT, AD);
        byte[] deterministic = daead.encryptDeterministically(PLAINTEXT, AD);
        for (int bit = 0; bit < randomized.length * 8; bit++) {
            byte[] t = flip(randomized, bit);
            assertThatThrownBy(() -> aead.decrypt(t, AD)).hasMessage(DecryptionException.GENERIC_MESSAGE);
        }
        for (int bit = 0; bit < deterministic.length * 8; bit++) {
            byte[] t = flip(deterministic, bit);
            assertThatThrownBy(() -> daead.decryptDeterministically(t, AD)).hasMessage(DecryptionException.GENERIC_MESSAGE);
        }
        for (int bit = 0; bit < AD.length * 8; bit++) {
            byte[] otherAd = flip(AD, bit);
            assertThatThrownBy(() -> aead.decrypt(randomized, otherAd)).hasMessage(DecryptionException.GENERIC_MESSAGE);
            assertThatThrownBy(() -> daead.decryptDeterministically(deterministic, otherAd)).hasMessage(DecryptionException.GENERIC_MESSAGE);
        }
    }

    @Test
    void anotherKeyCannotDecrypt() {
        byte[] ct = AesGcmAead.create(SecretBytes.random(32, RANDOM)).encrypt(PLAINTEXT, AD);
        byte[] dct = AesGcmSivDeterministicAead.create(SecretBytes.random(32, RANDOM)).encryptDeterministically(PLAINTEXT, AD);
        assertThatThrownBy(() -> AesGcmAead.create(SecretBytes.random(32, RANDOM)).decrypt(ct, AD))
                .hasMessage(DecryptionException.GENERIC_MESSAGE);
        assertThatThrownBy(() -> AesGcmSivDeterministicAead.create(SecretBytes.random(32, RANDOM)).decryptDeterministically(dct, AD))
                .hasMessage(DecryptionException.GENERIC_MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 11, 27, 28})
    void truncatedRandomizedCiphertextsFail(int length) {
        AesGcmAead aead = AesGcmAead.create(SecretBytes.random(32, RANDOM));
        byte[] ct = aead.encrypt(new byte[0], AD);
        byte[] truncated = java.util.Arrays.copyOf(ct, Math.min(length, ct.length - 1));
        assertThatThrownBy(() -> aead.decrypt(truncated, AD)).hasMessage(DecryptionException.GENERIC_MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 24, 31, 33, 64})
    void keysOfTheWrongSizeAreRefused(int size) {
        assertThatThrownBy(() -> AesGcmAead.create(SecretBytes.random(size, RANDOM))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AesGcmSivDeterministicAead.create(SecretBytes.random(size, RANDOM))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void primitivesNeverPrintTheirKey() {
        assertThat(AesGcmAead.create(SecretBytes.random(32, RANDOM)).toString()).contains("redacted");
        assertThat(AesGcmSivDeterministicAead.create(SecretBytes.random(32, RANDOM)).toString()).contains("redacted");
    }

    static byte[] flip(byte[] in, int bit) {
        byte[] out = in.clone();
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }
}
