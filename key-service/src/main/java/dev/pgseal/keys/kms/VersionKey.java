package dev.pgseal.keys.kms;

import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.crypto.AesGcmAead;
import dev.pgseal.keys.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * One key version ready for the data plane, built from its unwrapped material: the AES-GCM AEAD of
 * its data-plane subkey, or its parsed key pair. Valid while the material it was built from is
 * alive ({@link #servesMaterialOf}); the data plane rebuilds it when the key cache unwrapped a new
 * copy. The JCA private keys of classical types cannot be erased: they go when this object goes;
 * post-quantum seeds are read from the key cache's material per use and erased after it.
 */
final class VersionKey {

    /**
     * HKDF info of the data plane's AES-256-GCM subkey: the column envelope derives its own subkeys
     * from the same data key with other infos, so no key serves two purposes (a stored format).
     */
    static final byte[] DATA_PLANE_INFO = "pgseal kms v1 encrypt aes-256-gcm".getBytes(StandardCharsets.US_ASCII);

    final KeyType type;
    final String ringName;
    /** The unwrapped material this was built from (held by the key cache). */
    final DataKey dataKey;
    final int ringId;
    final int version;
    private final SecretBytes material;
    /** AES-256-GCM only. */
    final AesGcmAead aead;
    /** Classical types only. */
    final PrivateKey privateKey;
    final PublicKey publicKey;
    /** ML-DSA-65 and ML-KEM-768 only: the raw public key (the seed is read from the material per use). */
    final byte[] rawPublicKey;
    /** Asymmetric types: the SubjectPublicKeyInfo the master key authenticates. */
    final byte[] spki;

    private VersionKey(KeyType type, String ringName, DataKey key, AesGcmAead aead, PrivateKey privateKey, PublicKey publicKey,
            byte[] rawPublicKey, byte[] spki) {
        this.type = type;
        this.ringName = ringName;
        this.dataKey = key;
        this.ringId = key.ringId();
        this.version = key.version();
        this.material = key.material();
        this.aead = aead;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.rawPublicKey = rawPublicKey;
        this.spki = spki;
    }

    /**
     * Builds the version's key from its unwrapped material.
     *
     * @param storedPublicKey the public key stored in the clear for this version (null for AES)
     * @throws IllegalArgumentException when the material is not a key of {@code type}, or the
     *     stored public key is not the one wrapped with the private key (the store was altered)
     */
    static VersionKey of(KeyType type, String ringName, DataKey key, byte[] storedPublicKey) {
        if (type == KeyType.AES_256_GCM) {
            if (key.material().length() != KeyMaterial.AES_KEY_BYTES) {
                throw new IllegalArgumentException("the wrapped material is not an AES-256 key");
            }
            byte[] okm = Hkdf.deriveSha256(key.material().reveal(SecretAccess.INSTANCE), null, DATA_PLANE_INFO, 32);
            try (SecretBytes sub = SecretBytes.copyOf(okm, SecretAccess.INSTANCE)) {
                return new VersionKey(type, ringName, key, AesGcmAead.create(sub), null, null, null, null);
            } finally {
                Arrays.fill(okm, (byte) 0);
            }
        }
        KeyMaterial.Pair pair = KeyMaterial.read(type, key.material());
        byte[] priv = pair.privateKey();
        try {
            if (storedPublicKey == null || !Arrays.equals(storedPublicKey, pair.spki())) {
                throw new IllegalArgumentException("the public key stored in the clear is not the one wrapped with "
                        + "the private key");
            }
            Object pub = PublicKeys.parse(type, pair.spki());
            if (type == KeyType.ML_DSA_65 || type == KeyType.ML_KEM_768) {
                byte[] derived = type == KeyType.ML_DSA_65 ? MlDsa65.publicKeyOf(priv) : MlKem768.publicKeyOf(priv);
                if (!Arrays.equals(derived, (byte[]) pub)) {
                    throw new IllegalArgumentException("the wrapped public key does not belong to the private key");
                }
                return new VersionKey(type, ringName, key, null, null, null, (byte[]) pub, pair.spki());
            }
            return new VersionKey(type, ringName, key, null, ClassicalKeys.privateKey(type, priv), (PublicKey) pub, null,
                    pair.spki());
        } finally {
            Arrays.fill(priv, (byte) 0);
        }
    }

    /** Whether this was built from {@code key}'s material, and that material is still alive. */
    boolean servesMaterialOf(DataKey key) {
        return material == key.material() && !material.isDestroyed();
    }

    /**
     * A copy of the FIPS seed of an ML-DSA-65 or ML-KEM-768 version, read from the unwrapped
     * material: the caller erases it right after use, so no second long-lived copy exists.
     */
    byte[] seedCopy() {
        return KeyMaterial.read(type, material).privateKey();
    }

    @Override
    public String toString() {
        return "VersionKey[" + type + ", ring " + ringId + " v" + version + ", redacted]";
    }
}
