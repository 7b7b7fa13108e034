package dev.pgseal.keys.master;

import dev.pgseal.keys.HealthStatus;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.WrappedKey;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.ProviderException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;

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
        requireKey(label);
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
