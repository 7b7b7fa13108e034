package dev.pgseal.keys.kms;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;

/**
 * ML-KEM-768 (FIPS 203) on Bouncy Castle's low-level engine. The private key is kept as its 64-byte
 * seed {@code d || z} (FIPS 203 §7.1), the public key as the 1184-byte encapsulation key.
 * Encapsulation keys are checked as FIPS 203 §7.2 requires (length, and every coefficient below q)
 * before use; ciphertexts must have exactly 1088 bytes. Decapsulation of a well-sized but wrong
 * ciphertext does not fail: ML-KEM's implicit rejection returns an unrelated secret.
 */
final class MlKem768 {

    static final int SEED_BYTES = 64;
    static final int PUBLIC_KEY_BYTES = 1184;
    static final int CIPHERTEXT_BYTES = 1088;
    static final int SHARED_SECRET_BYTES = 32;
    private static final int Q = 3329;
    private static final MLKEMParameters PARAMS = MLKEMParameters.ml_kem_768;

    private MlKem768() {
    }

    /** A shared secret and its encapsulation (the KEM ciphertext). */
    record Encapsulated(byte[] sharedSecret, byte[] ciphertext) {
    }

    /** A fresh key pair: the 64-byte seed and the encapsulation key. */
    static byte[][] generate(SecureRandom random) {
        MLKEMKeyPairGenerator g = new MLKEMKeyPairGenerator();
        g.init(new MLKEMKeyGenerationParameters(random, PARAMS));
        AsymmetricCipherKeyPair kp = g.generateKeyPair();
        MLKEMPrivateKeyParameters priv = (MLKEMPrivateKeyParameters) kp.getPrivate();
        return new byte[][] {priv.getSeed(), ((MLKEMPublicKeyParameters) kp.getPublic()).getEncoded()};
    }

    /** The encapsulation key of the seed's key pair. */
    static byte[] publicKeyOf(byte[] seed) {
        return privateKey(seed).getPublicKey();
    }

    /**
     * Encapsulates a fresh secret to {@code encapsulationKey} with randomness from {@code random}.
     *
     * @throws IllegalArgumentException when the key fails the FIPS 203 input checks
     */
    static Encapsulated encapsulate(byte[] encapsulationKey, SecureRandom random) {
        checkEncapsulationKey(encapsulationKey);
        SecretWithEncapsulation s = new MLKEMGenerator(random)
                .generateEncapsulated(new MLKEMPublicKeyParameters(PARAMS, encapsulationKey));
        try {
            return new Encapsulated(s.getSecret(), s.getEncapsulation());
        } finally {
            try {
                s.destroy();
            } catch (javax.security.auth.DestroyFailedException e) {
                // the secret was copied out above; nothing more to erase
            }
        }
    }

    /**
     * Decapsulates {@code ciphertext} with the key pair of {@code seed}.
     *
     * @throws IllegalArgumentException when the seed or the ciphertext has the wrong length
     */
    static byte[] decapsulate(byte[] seed, byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length != CIPHERTEXT_BYTES) {
            throw new IllegalArgumentException("ML-KEM-768 ciphertext: " + (ciphertext == null ? 0 : ciphertext.length)
                    + " bytes (expected: " + CIPHERTEXT_BYTES + ")");
        }
        return new MLKEMExtractor(privateKey(seed)).extractSecret(ciphertext);
    }

    private static MLKEMPrivateKeyParameters privateKey(byte[] seed) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("ML-KEM-768 seed: " + (seed == null ? 0 : seed.length)
                    + " bytes (expected: " + SEED_BYTES + ")");
        }
        return new MLKEMPrivateKeyParameters(PARAMS, seed);
    }

    /**
     * FIPS 203 §7.2 encapsulation-key check: 1184 bytes, and the 12-bit coefficients of the first
     * 1152 bytes (the vector t) all below q = 3329, i.e. ByteEncode12(ByteDecode12(ek)) == ek.
     */
    static void checkEncapsulationKey(byte[] ek) {
        if (ek == null || ek.length != PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("ML-KEM-768 encapsulation key: " + (ek == null ? 0 : ek.length)
                    + " bytes (expected: " + PUBLIC_KEY_BYTES + ")");
        }
        int polyBytes = PUBLIC_KEY_BYTES - 32;
        for (int i = 0; i < polyBytes; i += 3) {
            int b0 = ek[i] & 0xff;
            int b1 = ek[i + 1] & 0xff;
            int b2 = ek[i + 2] & 0xff;
            int c0 = b0 | ((b1 & 0x0f) << 8);
            int c1 = (b1 >>> 4) | (b2 << 4);
            if (c0 >= Q || c1 >= Q) {
                throw new IllegalArgumentException("ML-KEM-768 encapsulation key: a coefficient is not reduced mod q");
            }
        }
    }

    static void erase(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
