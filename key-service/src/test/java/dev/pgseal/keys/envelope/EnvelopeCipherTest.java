package dev.pgseal.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.MalformedEnvelopeException;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeCipherTest {

    private static final ColumnIdentity SSN = ColumnIdentity.of("public", "patients", "ssn");
    private static final byte[] VALUE = "123-45-6789".getBytes(StandardCharsets.UTF_8);

    // Ring "patients" is id 1 with versions 1 and 3 (3 is primary); ring "other" is id 3, version 1.
    private final InMemoryKeyResolver keys = new InMemoryKeyResolver().ring("patients", 1, 1, 3).ring("other", 3, 1);
    private final ColumnCipher cipher = ColumnCipher.create(keys);

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void roundTripsUnderThePrimaryVersionWithTheDocumentedHeader(EncryptionMode mode) {
        byte[] envelope = cipher.encrypt(SSN, mode, "patients", VALUE);
        assertThat(EnvelopeHeader.parse(envelope)).isEqualTo(new EnvelopeHeader(2, mode, 1, 3));
        assertThat(Arrays.copyOf(envelope, 10)).containsExactly(2, mode.code(), 0, 0, 0, 1, 0, 0, 0, 3);
        assertThat(envelope).hasSize(EnvelopeLayout.minimumLength(mode) + VALUE.length);
        assertThat(cipher.decrypt(SSN, "patients", envelope)).isEqualTo(VALUE);
        assertThat(ColumnCipher.looksLikeEnvelope(envelope)).isTrue();
    }

    @Test
    void deterministicEnvelopesRepeatPerColumnAndDifferAcrossColumns() {
        byte[] a = cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE);
        assertThat(cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE)).isEqualTo(a);
        assertThat(cipher.encrypt(ColumnIdentity.of("public", "patients", "ssn2"), EncryptionMode.DETERMINISTIC, "patients", VALUE))
                .isNotEqualTo(a);
        assertThat(cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE))
                .isNotEqualTo(cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE));
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void everyFlippedBitFailsAndBodyFlipsGiveOnlyTheGenericMessage(EncryptionMode mode) {
        byte[] envelope = cipher.encrypt(SSN, mode, "patients", VALUE);
        int genericInHeader = 0;
        for (int bit = 0; bit < envelope.length * 8; bit++) {
            byte[] tampered = flip(envelope, bit);
            Throwable thrown = catchThrowable(() -> cipher.decrypt(SSN, "patients", tampered));
            if (bit >= EnvelopeLayout.HEADER_SIZE * 8) {
                assertThat(thrown).as("bit %d", bit).isExactlyInstanceOf(DecryptionException.class)
                        .hasMessage(DecryptionException.GENERIC_MESSAGE).hasNoCause();
            } else {
                // Header: rejected before crypto (structure or key version), or by the tag.
                assertThat(thrown).as("bit %d", bit).isInstanceOfAny(MalformedEnvelopeException.class,
                        KeyUnavailableException.class, DecryptionException.class);
                if (thrown.getClass() == DecryptionException.class) {
                    assertThat(thrown).hasMessage(DecryptionException.GENERIC_MESSAGE);
                    genericInHeader++;
                }
            }
        }
        // Flips that land on another existing key (ring 1→3, version 3→1) reach the crypto and fail there.
        assertThat(genericInHeader).isPositive();
    }

    static Stream<ColumnIdentity> otherColumns() {
        return Stream.of(ColumnIdentity.of("private", "patients", "ssn"), ColumnIdentity.of("public", "patient", "ssn"),
                ColumnIdentity.of("public", "patients", "SSN"), ColumnIdentity.of("public", "patientss", "sn"));
    }

    @ParameterizedTest
    @MethodSource("otherColumns")
    void anEnvelopeCopiedToAnotherColumnFailsWithTheGenericMessage(ColumnIdentity other) {
        for (EncryptionMode mode : EncryptionMode.values()) {
            byte[] envelope = cipher.encrypt(SSN, mode, "patients", VALUE);
            assertThatThrownBy(() -> cipher.decrypt(other, "patients", envelope))
                    .isExactlyInstanceOf(DecryptionException.class).hasMessage(DecryptionException.GENERIC_MESSAGE);
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void everyTruncationFails(EncryptionMode mode) {
        byte[] envelope = cipher.encrypt(SSN, mode, "patients", VALUE);
        for (int length = 0; length < envelope.length; length++) {
            byte[] truncated = Arrays.copyOf(envelope, length);
            Throwable thrown = catchThrowable(() -> cipher.decrypt(SSN, "patients", truncated));
            assertThat(thrown).as("length %d", length).isInstanceOf(DecryptionException.class);
            if (length >= EnvelopeLayout.minimumLength(mode)) {
                assertThat(thrown).hasMessage(DecryptionException.GENERIC_MESSAGE);
            }
        }
    }

    @Test
    void formatVersion1AndUnknownModesAreRejectedBeforeAnyKeyLookup() {
        byte[] envelope = cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
        byte[] version1 = envelope.clone();
        version1[0] = 1;
        byte[] mode9 = envelope.clone();
        mode9[1] = 9;
        assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", version1)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessage("unknown envelope format version 1 (this build reads version 2)");
        assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", mode9)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("unknown envelope mode 9");
        assertThat(keys.decryptionLookups).hasValue(0);
        assertThat(ColumnCipher.looksLikeEnvelope(version1)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void anEnvelopeOfAnotherKeyRingIsRefusedBeforeAnyKeyLookup(EncryptionMode mode) {
        // Ring "other" (id 3) has a valid version 1: the envelope would decrypt if the ring were not checked.
        byte[] foreign = cipher.encrypt(SSN, mode, "other", VALUE);
        assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", foreign))
                .isInstanceOf(DecryptionException.class)
                .isExactlyInstanceOf(MalformedEnvelopeException.class)
                .hasMessage("envelope belongs to key ring id 3, not to the column's key ring patients (id 1)");
        assertThat(keys.decryptionLookups).hasValue(0);
        assertThat(cipher.decrypt(SSN, "other", foreign)).isEqualTo(VALUE);
    }

    @Test
    void decryptingForAnUnknownRingFailsWithTheResolversError() {
        byte[] envelope = cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
        assertThatThrownBy(() -> cipher.decrypt(SSN, "nope", envelope)).isExactlyInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("nope");
        assertThat(keys.decryptionLookups).hasValue(0);
    }

    @Test
    void everyEncryptionIsReportedOnceUnderItsKeyVersion() {
        cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
        cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE);
        cipher.encryptForEachVersion(SSN, "patients", VALUE);
        cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "other", VALUE);
        assertThat(keys.encryptions).containsOnly(
                java.util.Map.entry("1/3", 3L), java.util.Map.entry("1/1", 1L), java.util.Map.entry("3/1", 1L));
    }

    @Test
    void theModesUseDifferentSubkeysSoNeitherPrimitiveSeesTheDataKeyItself() {
        DataKey key = keys.key(1, 3);
        byte[] dataKey = key.material().reveal(SecretAccess.INSTANCE);
        byte[] gcm = KeyPrimitives.subkey(key.material(), KeyPrimitives.RANDOMIZED_INFO).reveal(SecretAccess.INSTANCE);
        byte[] siv = KeyPrimitives.subkey(key.material(), KeyPrimitives.DETERMINISTIC_INFO).reveal(SecretAccess.INSTANCE);
        assertThat(gcm).hasSize(32).isNotEqualTo(siv).isNotEqualTo(dataKey);
        assertThat(siv).hasSize(32).isNotEqualTo(dataKey);
        // A randomized envelope body opened as if it were deterministic (mode byte rewritten) must fail.
        byte[] randomized = cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
        byte[] asDeterministic = randomized.clone();
        asDeterministic[1] = (byte) EncryptionMode.DETERMINISTIC.code();
        assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", asDeterministic))
                .hasMessage(DecryptionException.GENERIC_MESSAGE);
    }

    @Test
    void aKeyVersionTheResolverRefusesFailsWithItsOwnError() {
        byte[] envelope = cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE);
        envelope[9] = 7; // version 7 does not exist
        assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", envelope)).isExactlyInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("version 7");
    }

    @Test
    void searchTermsCoverEveryLiveVersionPrimaryFirst() {
        List<byte[]> terms = cipher.encryptForEachVersion(SSN, "patients", VALUE);
        assertThat(terms).hasSize(2);
        assertThat(terms.get(0)).isEqualTo(cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE));
        assertThat(EnvelopeHeader.parse(terms.get(1)).keyVersion()).isEqualTo(1);
        for (byte[] term : terms) {
            assertThat(cipher.decrypt(SSN, "patients", term)).isEqualTo(VALUE);
        }
    }

    @Test
    void replacedOrDestroyedKeyMaterialIsNotServedFromTheCache() {
        byte[] envelope = cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE);
        SecretBytes old = keys.key(1, 3).material();
        // Same bytes in a new object (a reload after eviction): still decrypts.
        keys.replace(1, 3, SecretBytes.copyOf(old.reveal(SecretAccess.INSTANCE), SecretAccess.INSTANCE));
        old.destroy();
        assertThat(cipher.decrypt(SSN, "patients", envelope)).isEqualTo(VALUE);
        // Different bytes under the same version: the cache must not keep using the old key.
        keys.replace(1, 3, SecretBytes.random(32, new java.security.SecureRandom()));
        assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", envelope)).hasMessage(DecryptionException.GENERIC_MESSAGE);
    }

    @Test
    void looksLikeEnvelopeRejectsOtherBytes() {
        Random random = new Random(7);
        assertThat(ColumnCipher.looksLikeEnvelope(null)).isFalse();
        assertThat(ColumnCipher.looksLikeEnvelope(new byte[0])).isFalse();
        assertThat(ColumnCipher.looksLikeEnvelope("plain text value here!!!!!!!!!!!".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(ColumnCipher.looksLikeEnvelope(new byte[] {1, 2, 0, 0, 0, 1, 0, 0, 0, 1})).isFalse(); // too short
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[40];
            random.nextBytes(b);
            accepted += ColumnCipher.looksLikeEnvelope(b) ? 1 : 0;
        }
        assertThat(accepted).isLessThan(5);
    }

    private static byte[] flip(byte[] in, int bit) {
        byte[] out = in.clone();
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }
}
