package dev.pgseal.keys.kms;

import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.generators.MLDSAKeyPairGenerator;
import org.bouncycastle.crypto.params.MLDSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.MLDSASigner;

/**
 * ML-DSA-65 (FIPS 204) on Bouncy Castle's low-level engine, pure mode. The private key is kept as its
 * 32-byte seed (FIPS 204 §6.1), the public key as its 1952-byte encoding. Signing is hedged (fresh
 * randomness per signature, FIPS 204's default); pgseal signs with an empty context string.
 */
final class MlDsa65 {

    static final int SEED_BYTES = 32;
    static final int PUBLIC_KEY_BYTES = 1952;
    static final int SIGNATURE_BYTES = 3309;
    private static final MLDSAParameters PARAMS = MLDSAParameters.ml_dsa_65;
    private static final byte[] NO_CONTEXT = new byte[0];

    private MlDsa65() {
    }

    /** A fresh key pair: the 32-byte seed and the public key. */
    static byte[][] generate(SecureRandom random) {
        MLDSAKeyPairGenerator g = new MLDSAKeyPairGenerator();
        g.init(new MLDSAKeyGenerationParameters(random, PARAMS));
        AsymmetricCipherKeyPair kp = g.generateKeyPair();
        return new byte[][] {((MLDSAPrivateKeyParameters) kp.getPrivate()).getSeed(),
            ((MLDSAPublicKeyParameters) kp.getPublic()).getEncoded()};
    }

    /** The public key of the seed's key pair. */
    static byte[] publicKeyOf(byte[] seed) {
        return privateKey(seed).getPublicKey();
    }

    static byte[] sign(byte[] seed, byte[] message, SecureRandom random) {
        MLDSASigner s = new MLDSASigner();
        s.init(true, new ParametersWithRandom(privateKey(seed), random));
        s.update(message, 0, message.length);
        try {
            return s.generateSignature();
        } catch (CryptoException e) {
            throw new IllegalStateException("ML-DSA-65 signing failed", e);
        }
    }

    /** Pure ML-DSA-65 verification with pgseal's empty context. */
    static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        return verify(publicKey, message, signature, NO_CONTEXT);
    }

    /**
     * Pure ML-DSA-65 verification with a context string (0 to 255 bytes). Any malformed input
     * (key or signature length, context too long) is an invalid signature, never an exception.
     */
    static boolean verify(byte[] publicKey, byte[] message, byte[] signature, byte[] context) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES || signature == null
                || signature.length != SIGNATURE_BYTES || context == null || context.length > 255) {
            return false;
        }
        try {
            MLDSASigner s = new MLDSASigner();
            s.init(false, new ParametersWithContext(new MLDSAPublicKeyParameters(PARAMS, publicKey), context));
            s.update(message, 0, message.length);
            return s.verifySignature(signature);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static MLDSAPrivateKeyParameters privateKey(byte[] seed) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("ML-DSA-65 seed: " + (seed == null ? 0 : seed.length)
                    + " bytes (expected: " + SEED_BYTES + ")");
        }
        return new MLDSAPrivateKeyParameters(PARAMS, seed);
    }
}
