package dev.pgseal.keys;

import java.util.List;

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

    /**
     * Every version of the ring that may still hold values and may decrypt them (the primary and
     * the deactivated and compromised versions at or above the minimum decryption version; never
     * pre-active or destroyed ones), the primary first. Deterministic equality search encrypts the
     * search value under each, so a predicate keeps matching while re-encryption moves a column
     * from one version to the next. The default returns the primary only.
     *
     * @throws KeyUnavailableException when the ring has no usable primary version
     */
    default List<DataKey> liveKeys(String ringName) {
        return List.of(encryptionKey(ringName));
    }
}
