package dev.pgseal.keys;

/**
 * Where the envelope gets its data keys: the key service implements it over the key store and
 * its cache; tests implement it over fixed keys.
 */
public interface KeyResolver {

    /**
     * The primary (active) version of a key ring, used for every new encryption.
     *
     * @throws KeyUnavailableException when the ring has no usable primary version
     */
    DataKey encryptionKey(String ringName);

    /**
     * The key for decrypting a value written under {@code (ringId, version)}. Checked before any
     * crypto: an unknown ring, a version newer than the latest, below the minimum decryption
     * version, or destroyed, throws.
     *
     * @throws KeyUnavailableException when that version may not or cannot be used
     */
    DataKey decryptionKey(int ringId, int version);
}
