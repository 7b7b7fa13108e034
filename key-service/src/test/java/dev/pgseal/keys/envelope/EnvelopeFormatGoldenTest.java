package dev.pgseal.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.policy.LogicalType;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Pins the stored formats of envelope version 2: the column identity encoding, a deterministic
 * envelope for a fixed key, and a randomized envelope that must keep decrypting. Values already in
 * databases depend on these bytes; if this test fails, the change breaks decryption or
 * deterministic search of existing data and needs a new envelope format version. The golden bytes
 * are also recomputed here independently, with Bouncy Castle's HKDF, AES-GCM and AES-GCM-SIV, from
 * the derivation docs/crypto.md describes.
 */
class EnvelopeFormatGoldenTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final ColumnIdentity COLUMN = ColumnIdentity.of("public", "patients", "ssn");
    private static final byte[] INT4_42 = CanonicalCodec.forType(LogicalType.of(LogicalType.Kind.INT4)).fromText("42");

    private static final String HEADER_DETERMINISTIC = "02020000000700000002";
    private static final String HEADER_RANDOMIZED = "02010000000700000002";
    private static final String NONCE = "000102030405060708090a0b";
    private static final String GOLDEN_DETERMINISTIC = HEADER_DETERMINISTIC + "86ac0824831ae2f32138bc9f3399870138376c75";
    private static final String GOLDEN_RANDOMIZED = HEADER_RANDOMIZED + NONCE + "ec653b438ae872400469e18f22a2699b2d8a2ead";

    @Test
    void columnIdentityEncodingIsThreeLengthPrefixedUtf8Names() {
        assertThat(HEX.formatHex(ColumnIdentity.of("public", "t", "ç").encoded()))
                .isEqualTo("00000006" + "7075626c6963" + "00000001" + "74" + "00000002" + "c3a7");
    }

    @Test
    void deterministicEnvelopeOfAFixedKeyAndValueNeverChanges() {
        byte[] envelope = cipher().encrypt(COLUMN, EncryptionMode.DETERMINISTIC, "k", INT4_42);
        assertThat(HEX.formatHex(envelope)).isEqualTo(GOLDEN_DETERMINISTIC);
    }

    @Test
    void randomizedEnvelopeOfAFixedKeyNonceAndValueKeepsDecrypting() {
        assertThat(cipher().decrypt(COLUMN, "k", HEX.parseHex(GOLDEN_RANDOMIZED))).isEqualTo(INT4_42);
    }

    @Test
    void goldenEnvelopesFollowTheDocumentedDerivation() throws Exception {
        byte[] ad = concat(HEX.parseHex(HEADER_DETERMINISTIC), COLUMN.encoded());
        byte[] siv = run(new GCMSIVBlockCipher(AESEngine.newInstance()),
                hkdf("pgseal envelope v2 deterministic aes-256-gcm-siv"), new byte[12], ad);
        assertThat(HEADER_DETERMINISTIC + HEX.formatHex(siv)).isEqualTo(GOLDEN_DETERMINISTIC);

        byte[] adR = concat(HEX.parseHex(HEADER_RANDOMIZED), COLUMN.encoded());
        byte[] gcm = run(GCMBlockCipher.newInstance(AESEngine.newInstance()),
                hkdf("pgseal envelope v2 randomized aes-256-gcm"), HEX.parseHex(NONCE), adR);
        assertThat(HEADER_RANDOMIZED + NONCE + HEX.formatHex(gcm)).isEqualTo(GOLDEN_RANDOMIZED);
    }

    private static byte[] dataKey() {
        byte[] keyBytes = new byte[32];
        for (int i = 0; i < 32; i++) {
            keyBytes[i] = (byte) i;
        }
        return keyBytes;
    }

    private static ColumnCipher cipher() {
        DataKey key = new DataKey(7, 2, SecretBytes.copyOf(dataKey(), SecretAccess.INSTANCE));
        return ColumnCipher.create(new KeyResolver() {
            @Override
            public DataKey encryptionKey(String ringName) {
                return key;
            }

            @Override
            public DataKey decryptionKey(int ringId, int version) {
                return key;
            }
        });
    }

    /** HKDF-SHA256, no salt, the mode's info, 32 bytes: Bouncy Castle's generator. */
    private static byte[] hkdf(String info) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(dataKey(), null, info.getBytes(StandardCharsets.US_ASCII)));
        byte[] out = new byte[32];
        g.generateBytes(out, 0, 32);
        return out;
    }

    private static byte[] run(AEADBlockCipher c, byte[] key, byte[] nonce, byte[] ad) throws Exception {
        c.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, ad));
        byte[] out = new byte[c.getOutputSize(INT4_42.length)];
        int n = c.processBytes(INT4_42, 0, INT4_42.length, out, 0);
        c.doFinal(out, n);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
