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
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Pins the stored formats: the column identity encoding and a deterministic envelope for a fixed
 * key. Values already in databases depend on these bytes; if this test fails, the change breaks
 * decryption or deterministic search of existing data and needs a new envelope format version.
 */
class EnvelopeFormatGoldenTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void columnIdentityEncodingIsThreeLengthPrefixedUtf8Names() {
        assertThat(HEX.formatHex(ColumnIdentity.of("public", "t", "ç").encoded()))
                .isEqualTo("00000006" + "7075626c6963" + "00000001" + "74" + "00000002" + "c3a7");
    }

    @Test
    void deterministicEnvelopeOfAFixedKeyAndValueNeverChanges() {
        byte[] keyBytes = new byte[32];
        for (int i = 0; i < 32; i++) {
            keyBytes[i] = (byte) i;
        }
        DataKey key = new DataKey(7, 2, SecretBytes.copyOf(keyBytes, SecretAccess.INSTANCE));
        ColumnCipher cipher = ColumnCipher.create(new KeyResolver() {
            @Override
            public DataKey encryptionKey(String ringName) {
                return key;
            }

            @Override
            public DataKey decryptionKey(int ringId, int version) {
                return key;
            }
        });
        byte[] canonical = CanonicalCodec.forType(LogicalType.of(LogicalType.Kind.INT4)).fromText("42");
        byte[] envelope = cipher.encrypt(ColumnIdentity.of("public", "patients", "ssn"), EncryptionMode.DETERMINISTIC, "k", canonical);
        assertThat(HEX.formatHex(envelope)).isEqualTo(GOLDEN);
    }

    // Independently reproduced with Bouncy Castle's GCMSIVBlockCipher (zero nonce, header || identity as AD).
    private static final String GOLDEN = "01020000000700000002" + "c70ae9352a003697aca480d1cae92c7f0218ec72";
}
