package dev.pgseal.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.policy.LogicalType;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Envelopes of columns in one equality group bind the group: equal plaintexts give equal
 * deterministic ciphertexts in every column of the group, and each column's envelope decrypts as
 * any other's; outside the group (no group, another group) they neither match nor decrypt.
 */
class EqualityGroupEnvelopeTest {

    private static final ColumnIdentity PATIENTS_SSN = ColumnIdentity.inGroup("public", "patients", "ssn", "ssn");
    private static final ColumnIdentity CLAIMS_SSN = ColumnIdentity.inGroup("billing", "claims", "member_ssn", "ssn");
    private static final ColumnIdentity UNGROUPED = ColumnIdentity.of("public", "patients", "ssn");
    private static final ColumnIdentity OTHER_GROUP = ColumnIdentity.inGroup("public", "patients", "ssn", "tax_id");
    private static final byte[] VALUE = "123-45-6789".getBytes(StandardCharsets.UTF_8);

    private final InMemoryKeyResolver keys = new InMemoryKeyResolver().ring("people", 1, 1, 2);
    private final ColumnCipher cipher = ColumnCipher.create(keys);

    @Test
    void groupIdentityEncodingIsAnEmptyNameThenTheGroup() {
        assertThat(HexFormat.of().formatHex(PATIENTS_SSN.encoded())).isEqualTo("00000000" + "00000003" + "73736e");
        assertThat(PATIENTS_SSN.sharesEnvelopesWith(CLAIMS_SSN)).isTrue();
        assertThat(PATIENTS_SSN.sharesEnvelopesWith(UNGROUPED)).isFalse();
        assertThat(PATIENTS_SSN.sharesEnvelopesWith(OTHER_GROUP)).isFalse();
        assertThat(PATIENTS_SSN).isNotEqualTo(CLAIMS_SSN); // still two columns, for messages and caches
        assertThat(PATIENTS_SSN.toString()).isEqualTo("public.patients.ssn (equality group ssn)");
    }

    @Test
    void noColumnIdentityEncodesLikeAGroup() {
        // A column's first length is its schema's, never 0 (empty names are refused); a group's is 0.
        assertThatThrownBy(() -> ColumnIdentity.of("", "", "ssn")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ColumnIdentity.inGroup("public", "t", "c", "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ColumnIdentity.of("public", "t", "c").encoded()[3]).isNotZero();
    }

    @Test
    void equalPlaintextsInTwoColumnsOfOneGroupHaveEqualDeterministicCiphertexts() {
        byte[] a = cipher.encrypt(PATIENTS_SSN, EncryptionMode.DETERMINISTIC, "people", VALUE);
        byte[] b = cipher.encrypt(CLAIMS_SSN, EncryptionMode.DETERMINISTIC, "people", VALUE);
        assertThat(b).isEqualTo(a);
        assertThat(cipher.encryptForEachVersion(CLAIMS_SSN, "people", VALUE))
                .containsExactlyElementsOf(cipher.encryptForEachVersion(PATIENTS_SSN, "people", VALUE));
        assertThat(cipher.encrypt(UNGROUPED, EncryptionMode.DETERMINISTIC, "people", VALUE)).isNotEqualTo(a);
        assertThat(cipher.encrypt(OTHER_GROUP, EncryptionMode.DETERMINISTIC, "people", VALUE)).isNotEqualTo(a);
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void eitherColumnsEnvelopeDecryptsAsTheOthers(EncryptionMode mode) {
        byte[] fromPatients = cipher.encrypt(PATIENTS_SSN, mode, "people", VALUE);
        assertThat(cipher.decrypt(CLAIMS_SSN, "people", fromPatients)).isEqualTo(VALUE);
        byte[] fromClaims = cipher.encrypt(CLAIMS_SSN, mode, "people", VALUE);
        assertThat(cipher.decrypt(PATIENTS_SSN, "people", fromClaims)).isEqualTo(VALUE);
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void changingAColumnsGroupMakesItsEnvelopesUndecryptable(EncryptionMode mode) {
        byte[] ungrouped = cipher.encrypt(UNGROUPED, mode, "people", VALUE);
        assertThatThrownBy(() -> cipher.decrypt(PATIENTS_SSN, "people", ungrouped))
                .isExactlyInstanceOf(DecryptionException.class).hasMessage(DecryptionException.GENERIC_MESSAGE);
        byte[] grouped = cipher.encrypt(PATIENTS_SSN, mode, "people", VALUE);
        assertThatThrownBy(() -> cipher.decrypt(UNGROUPED, "people", grouped))
                .isExactlyInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> cipher.decrypt(OTHER_GROUP, "people", grouped))
                .isExactlyInstanceOf(DecryptionException.class);
    }

    @Test
    void aRandomizedNumericEnvelopeWrittenBeforeTheDisplayScaleStillDecrypts() {
        LogicalType numeric = LogicalType.of(LogicalType.Kind.NUMERIC);
        ColumnIdentity amount = ColumnIdentity.of("public", "claims", "amount");
        // before: every column encrypted numeric's equality form
        byte[] old = cipher.encrypt(amount, EncryptionMode.RANDOMIZED, "people", CanonicalCodec.forType(numeric).fromText("1.50"));
        CanonicalCodec now = CanonicalCodec.forColumn(numeric, EncryptionMode.RANDOMIZED);
        assertThat(now.toText(cipher.decrypt(amount, "people", old))).isEqualTo("1.5");
        byte[] written = cipher.encrypt(amount, EncryptionMode.RANDOMIZED, "people", now.fromText("1.50"));
        assertThat(now.toText(cipher.decrypt(amount, "people", written))).isEqualTo("1.50");
        // deterministic: 1.5 and 1.50 still encrypt equally, to the bytes they always had
        CanonicalCodec det = CanonicalCodec.forColumn(numeric, EncryptionMode.DETERMINISTIC);
        assertThat(cipher.encrypt(amount, EncryptionMode.DETERMINISTIC, "people", det.fromText("1.50")))
                .isEqualTo(cipher.encrypt(amount, EncryptionMode.DETERMINISTIC, "people", det.fromText("1.5")))
                .isEqualTo(cipher.encrypt(amount, EncryptionMode.DETERMINISTIC, "people",
                        CanonicalCodec.forType(numeric).fromText("1.5")));
    }
}
