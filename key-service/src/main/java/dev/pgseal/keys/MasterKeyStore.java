package dev.pgseal.keys;

import dev.pgseal.keys.audit.AuditMac;
import dev.pgseal.keys.master.MasterKeyStores;

/**
 * Where master keys live and where data keys are wrapped and unwrapped: an HSM through PKCS#11
 * ({@link dev.pgseal.keys.master.Pkcs11MasterKeyStore}) or, for the demo and tests only, a PKCS#12
 * file ({@link dev.pgseal.keys.master.SoftwareMasterKeyStore}). Master keys never leave the store;
 * data keys cross it only as {@link SecretBytes}.
 *
 * <p>Wrapping is AES-256-GCM with a fresh random 96-bit IV; the associated data is the caller's
 * (the key service binds the key ring id and version) followed by the master key's label, so a
 * wrapped key moved to another ring, version or master key fails to unwrap. Implementations are
 * thread-safe.
 */
public interface MasterKeyStore extends AutoCloseable {

    /**
     * Opens the store the settings describe and finds, or on first start creates, the master key
     * {@code settings.masterKeyLabel()}. A PKCS#11 configuration never falls back to software.
     *
     * @throws MasterKeyStoreException with one clear message when it cannot
     */
    static MasterKeyStore open(KeystoreSettings settings) {
        return MasterKeyStores.open(settings);
    }

    /** What this store is, for logs and health: e.g. {@code PKCS#11 token 'pgseal' (libsofthsm2.so)}. */
    String description();

    /** The label of the master key that {@link #wrap} uses. */
    String currentMasterKeyLabel();

    /** Whether a master key with this label exists in the store. */
    boolean containsMasterKey(String label);

    /**
     * Makes an existing master key the current one.
     *
     * @throws MasterKeyStoreException when no key has that label
     */
    void useMasterKey(String label);

    /**
     * Creates a new master key (label: the first label key {@code <first label>-<n>} not taken),
     * makes it current, and returns its label. The old keys stay until {@link #deleteMasterKey}.
     */
    String createNewMasterKey();

    /**
     * Wraps a data key under the current master key.
     *
     * @throws MasterKeyStoreException when the store is unreachable
     */
    WrappedKey wrap(SecretBytes dataKey, byte[] associatedData);

    /**
     * Unwraps a data key under the master key the wrapped key names.
     *
     * @throws MasterKeyStoreException when the store is unreachable, the master key is gone, or
     *     the bytes or associated data do not authenticate
     */
    SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData);

    /**
     * Deletes a master key that nothing references any more (the caller checks that).
     *
     * @throws MasterKeyStoreException when it is the current key or cannot be deleted
     */
    void deleteMasterKey(String label);

    /**
     * The audit key labelled {@code label}: an HMAC-SHA256 key that lives in this store (on the
     * token as a sensitive, never-extractable generic secret for PKCS#11) and is used only to
     * authenticate the audit chain and its checkpoints, never to wrap. Its bytes never leave the
     * store; the returned {@link AuditMac} asks the store for every tag.
     *
     * @param create whether to generate the key in the store when it is missing (the server, on
     *     first use); {@code audit verify} passes false, since a new key cannot verify old links
     * @throws MasterKeyStoreException when the key is missing and {@code create} is false, when
     *     the label belongs to a master key or to a key that is not an HMAC key, or the store fails
     */
    AuditMac auditMac(String label, boolean create);

    /** Probes the store with one wrap of a throw-away value under the current master key. */
    HealthStatus health();

    /** Logs out and releases the store. */
    @Override
    void close();
}
