package dev.pgseal.keys.master;

import dev.pgseal.keys.HealthStatus;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.WrappedKey;
import dev.pgseal.keys.audit.AuditMac;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.ProviderException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;

/**
 * What the master key stores share: labelled AES master keys, the current one used to wrap, data
 * keys wrapped with AES-GCM ({@link GcmKeyWrap}) by the store's own provider (inside the HSM for
 * PKCS#11), rotation to {@code label-2}, {@code label-3}, … A subclass says where keys live.
 */
abstract class GcmMasterKeyStore implements MasterKeyStore {

    private final Provider provider;
    private final String firstLabel;
    private volatile String current;

    GcmMasterKeyStore(Provider provider, String firstLabel) {
        this.provider = provider;
        this.firstLabel = firstLabel;
        this.current = firstLabel;
    }

    /** The key labelled {@code label}, or null. */
    abstract Key findKey(String label);

    /** Creates a fresh AES-256 master key labelled {@code label}. */
    abstract void create(String label);

    /** Creates a fresh 256-bit HMAC-SHA256 key labelled {@code label} (the audit key). */
    abstract void createMacKey(String label);

    /** Removes the key labelled {@code label} from the store. */
    abstract void deleteEntry(String label);

    /** Where keys live, for messages: "on PKCS#11 token 't'", "in software keystore f". */
    abstract String where();

    @Override
    public String currentMasterKeyLabel() {
        return current;
    }

    @Override
    public boolean containsMasterKey(String label) {
        return findKey(label) != null;
    }

    @Override
    public void useMasterKey(String label) {
        if (!"AES".equalsIgnoreCase(requireKey(label).getAlgorithm())) {
            throw new MasterKeyStoreException("the key labelled '" + label + "' " + where() + " is not an AES master key");
        }
        current = label;
    }

    @Override
    public synchronized String createNewMasterKey() {
        String label = MasterKeyLabels.next(firstLabel, l -> findKey(l) != null);
        create(label);
        current = label;
        return label;
    }

    final Key requireKey(String label) {
        Key k = findKey(label);
        if (k == null) {
            throw new MasterKeyStoreException("no master key labelled '" + label + "' " + where());
        }
        return k;
    }

    @Override
    public WrappedKey wrap(SecretBytes dataKey, byte[] associatedData) {
        String label = current;
        try {
            return GcmKeyWrap.wrap(provider, requireKey(label), label, dataKey, associatedData);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new MasterKeyStoreException("failed to wrap under master key '" + label + "' " + where() + ": "
                    + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    public SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) {
        try {
            return GcmKeyWrap.unwrap(provider, requireKey(wrapped.masterKeyLabel()), wrapped, associatedData);
        } catch (AEADBadTagException e) {
            throw new MasterKeyStoreException("wrapped key does not authenticate under master key '"
                    + wrapped.masterKeyLabel() + "' (tampered, or bound to another ring or version)", e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new MasterKeyStoreException("failed to unwrap under master key '" + wrapped.masterKeyLabel() + "' "
                    + where() + ": " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    public synchronized AuditMac auditMac(String label, boolean create) {
        // A master key must never also serve as the MAC key: one key, one algorithm.
        if (label.equals(current) || Pattern.matches(Pattern.quote(firstLabel) + "(-\\d+)?", label)) {
            throw new MasterKeyStoreException("audit key label '" + label + "' is a master key's label " + where()
                    + ": give the audit key a label of its own");
        }
        Key key = findKey(label);
        if (key == null) {
            if (!create) {
                throw new MasterKeyStoreException("no audit key labelled '" + label + "' " + where()
                        + " (it is created by the first pgseal server that starts with this keystore)");
            }
            createMacKey(label);
            key = requireKey(label);
        }
        // SunPKCS11 reports a token's HMAC key as "Generic Secret"; an AES key here is a master key.
        if ("AES".equalsIgnoreCase(key.getAlgorithm())) {
            throw new MasterKeyStoreException("the key labelled '" + label + "' " + where()
                    + " is an AES key, not an HMAC key: it cannot be the audit key");
        }
        return new StoreMac(label, key);
    }

    /** HMAC-SHA256 by this store's provider under a key that stays in the store. */
    private final class StoreMac implements AuditMac {
        private final String label;
        private final Key key;

        StoreMac(String label, Key key) {
            this.label = label;
            this.key = key;
        }

        @Override
        public String keyLabel() {
            return label;
        }

        @Override
        public byte[] computeMac(byte[] data) {
            try {
                // A Mac per call: Mac objects are not thread-safe, and creating one costs far less than the HSM call.
                Mac mac = Mac.getInstance("HmacSHA256", provider);
                mac.init(key);
                return mac.doFinal(data);
            } catch (GeneralSecurityException | ProviderException e) {
                throw new MasterKeyStoreException("failed to compute an HMAC under audit key '" + label + "' " + where()
                        + ": " + GcmKeyWrap.rootMessage(e), e);
            }
        }

        @Override
        public String toString() {
            return "HMAC-SHA256 under audit key '" + label + "' " + where();
        }
    }

    @Override
    public synchronized void deleteMasterKey(String label) {
        if (label.equals(current)) {
            throw new MasterKeyStoreException("master key '" + label + "' is current and cannot be deleted");
        }
        deleteEntry(label);
    }

    @Override
    public HealthStatus health() {
        try (SecretBytes probe = SecretBytes.random(32, new SecureRandom())) {
            wrap(probe, new byte[] {'h', 'e', 'a', 'l', 't', 'h'});
            return HealthStatus.up(description() + ", master key '" + current + "'");
        } catch (RuntimeException e) {
            return HealthStatus.down(e.getMessage());
        }
    }
}
