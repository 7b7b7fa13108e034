package dev.pgseal.keys.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import java.util.Random;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/** The deterministic AEAD gives exactly Bouncy Castle's AES-GCM-SIV output under the zero nonce. */
class AesGcmSivCrossCheckTest {

    @Test
    void matchesBouncyCastleOnSeededRandomInputs() throws Exception {
        Random random = new Random(20261129L);
        for (int i = 0; i < 300; i++) {
            byte[] key = bytes(random, 32);
            byte[] plaintext = bytes(random, random.nextInt(i < 100 ? 40 : 300));
            byte[] ad = bytes(random, random.nextInt(80));
            AesGcmSivDeterministicAead daead = AesGcmSivDeterministicAead.create(SecretBytes.copyOf(key, SecretAccess.INSTANCE));

            GCMSIVBlockCipher reference = new GCMSIVBlockCipher(AESEngine.newInstance());
            reference.init(true, new AEADParameters(new KeyParameter(key), 128, new byte[12], ad));
            byte[] expected = new byte[reference.getOutputSize(plaintext.length)];
            int n = reference.processBytes(plaintext, 0, plaintext.length, expected, 0);
            reference.doFinal(expected, n);

            byte[] actual = daead.encryptDeterministically(plaintext, ad);
            assertThat(actual).as("case %d", i).isEqualTo(expected);
            assertThat(daead.decryptDeterministically(actual, ad)).isEqualTo(plaintext);
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
