package dev.pgseal.keys.crypto;

import static dev.pgseal.keys.crypto.WycheproofVectors.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.crypto.WycheproofVectors.AeadCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GCM-SIV engine behind {@link AesGcmSivDeterministicAead} against every Wycheproof AES-GCM-SIV
 * case (both key sizes the file has: the engine derives the per-nonce subkeys for any nonce).
 */
class AesGcmSivWycheproofTest {

    @Test
    void passesEveryWycheproofCase() {
        List<AeadCase> cases = WycheproofVectors.load("aes_gcm_siv_test.json");
        int valid = 0;
        int invalid = 0;
        for (AeadCase c : cases) {
            GcmSivSubkeys engine = new GcmSivSubkeys(c.key(), c.iv());
            byte[] sealed = concat(c.ct(), c.tag());
            if (c.result().equals("valid") || c.result().equals("acceptable")) {
                assertThat(engine.seal(c.msg(), c.aad())).as(c.toString()).isEqualTo(sealed);
                assertThat(engine.open(sealed, c.aad())).as(c.toString()).isEqualTo(c.msg());
                valid++;
            } else {
                assertThatThrownBy(() -> engine.open(sealed, c.aad())).as(c.toString())
                        .isExactlyInstanceOf(DecryptionException.class)
                        .hasMessage(DecryptionException.GENERIC_MESSAGE);
                invalid++;
            }
        }
        assertThat(valid).isPositive();
        assertThat(invalid).isPositive();
        assertThat(valid + invalid).isEqualTo(cases.size());
    }
}
