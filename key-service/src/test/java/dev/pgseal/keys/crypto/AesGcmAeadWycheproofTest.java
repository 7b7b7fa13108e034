package dev.pgseal.keys.crypto;

import static dev.pgseal.keys.crypto.WycheproofVectors.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.crypto.WycheproofVectors.AeadCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AES-256-GCM against every Wycheproof case with a 256-bit key, a 96-bit nonce and a 128-bit tag. */
class AesGcmAeadWycheproofTest {

    @Test
    void passesEveryApplicableWycheproofCase() {
        List<AeadCase> cases = WycheproofVectors.load("aes_gcm_test.json");
        int valid = 0;
        int invalid = 0;
        int skipped = 0;
        for (AeadCase c : cases) {
            if (c.keySize() != 256 || c.ivSize() != 96 || c.tagSize() != 128) {
                skipped++; // AesGcmAead supports only AES-256, 12-byte nonces and 16-byte tags
                continue;
            }
            AesGcmAead aead = AesGcmAead.create(SecretBytes.copyOf(c.key(), SecretAccess.INSTANCE));
            byte[] envelope = concat(c.iv(), c.ct(), c.tag());
            if (c.result().equals("valid") || c.result().equals("acceptable")) {
                assertThat(aead.encryptWithNonce(c.iv(), c.msg(), c.aad())).as(c.toString()).isEqualTo(envelope);
                assertThat(aead.decrypt(envelope, c.aad())).as(c.toString()).isEqualTo(c.msg());
                valid++;
            } else {
                assertThatThrownBy(() -> aead.decrypt(envelope, c.aad())).as(c.toString())
                        .isExactlyInstanceOf(DecryptionException.class)
                        .hasMessage(DecryptionException.GENERIC_MESSAGE);
                invalid++;
            }
        }
        assertThat(valid).isPositive();
        assertThat(invalid).isPositive();
        assertThat(valid + invalid + skipped).isEqualTo(cases.size());
    }
}
