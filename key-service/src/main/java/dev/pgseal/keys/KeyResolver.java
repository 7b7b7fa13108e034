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

    /**
     * The numeric id of the ring named {@code ringName} (the id envelopes carry), so decryption can
     * check that an envelope belongs to its column's ring before any crypto. No key is unwrapped
     * for this by the key service; the default asks for the primary key.
     *
     * @throws KeyUnavailableException when there is no such ring
     */
    default int ringId(String ringName) {
        return encryptionKey(ringName).ringId();
    }

    /**
     * Called once for every envelope encrypted under {@code key}, so the key service can count
     * encryptions per key version (random 96-bit nonces bound a key to 2^32 encryptions). Must be
     * cheap and must not throw. The default counts nothing.
     */
    default void recordEncryption(DataKey key) {
    }
}
