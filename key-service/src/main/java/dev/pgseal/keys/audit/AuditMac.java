package dev.pgseal.keys.audit;

/**
 * HMAC-SHA256 under the audit key, computed where the key lives (inside the HSM for PKCS#11; in
 * the software keystore for demos and tests). The key itself is never exposed: callers get tags,
 * not bytes. Whoever lacks the key cannot produce a tag that {@link #verifyMac} accepts, which is
 * what makes the audit chain and its checkpoints hold against someone who can write to the
 * database or the checkpoint file. Implementations are thread-safe.
 */
public interface AuditMac {

    /** Tag length in bytes (HMAC-SHA256). */
    int TAG_BYTES = 32;

    /** The label of the audit key in its store, recorded in checkpoints. */
    String keyLabel();

    /**
     * The 32-byte HMAC-SHA256 tag of {@code data}.
     *
     * @throws dev.pgseal.keys.MasterKeyStoreException when the store cannot compute it (HSM gone)
     */
    byte[] computeMac(byte[] data);

    /**
     * Whether {@code tag} is the tag of {@code data}, compared in constant time.
     *
     * @throws dev.pgseal.keys.MasterKeyStoreException when the store cannot compute it (HSM gone)
     */
    default boolean verifyMac(byte[] tag, byte[] data) {
        return tag != null && java.security.MessageDigest.isEqual(computeMac(data), tag);
    }
}
