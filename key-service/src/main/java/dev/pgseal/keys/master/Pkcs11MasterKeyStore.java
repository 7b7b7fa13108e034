package dev.pgseal.keys.master;

import dev.pgseal.keys.MasterKeyStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.security.auth.login.LoginException;

/**
 * Master keys on a PKCS#11 token through SunPKCS11 (tested with SoftHSM2). Master keys are
 * generated on the token as sensitive, never-extractable AES-256 objects and found again by label
 * (the {@code PKCS11} KeyStore alias); wrapping is AES-GCM performed by the token.
 */
public final class Pkcs11MasterKeyStore extends GcmMasterKeyStore {

    private final Path library;
    private final String tokenLabel;
    private final AuthProvider provider;
    private final KeyStore keyStore;
    private final char[] pin;
    private final Map<String, Key> keys = new ConcurrentHashMap<>();

    private Pkcs11MasterKeyStore(Path library, String tokenLabel, AuthProvider provider, KeyStore keyStore,
            char[] pin, String firstLabel) {
        super(provider, firstLabel);
        this.library = library;
        this.tokenLabel = tokenLabel;
        this.provider = provider;
        this.keyStore = keyStore;
        this.pin = pin;
    }

    /**
     * Logs in to the token labelled {@code tokenLabel} and finds, or creates, the master key
     * {@code masterKeyLabel}.
     *
     * @throws MasterKeyStoreException library missing, token not found, wrong PIN, token error
     */
    public static Pkcs11MasterKeyStore open(Path library, String tokenLabel, char[] pin, String masterKeyLabel) {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(tokenLabel, "tokenLabel");
        if (!Files.isRegularFile(library)) {
            throw new MasterKeyStoreException("PKCS#11 library " + library + " does not exist (keystore.library)");
        }
        long slot = TokenSlots.slotOf(library, tokenLabel);
        String config = "--name=pgseal-" + tokenLabel.replaceAll("[^A-Za-z0-9_-]", "_") + "\n"
                + "library=" + library + "\n"
                + "slot=" + slot + "\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "}\n"
                // Without this block SunPKCS11 generates HMAC keys that are NOT sensitive (measured, JDK 17).
                + "attributes(generate, CKO_SECRET_KEY, CKK_GENERIC_SECRET) = {\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "}\n";
        AuthProvider provider;
        try {
            provider = (AuthProvider) Security.getProvider("SunPKCS11").configure(config);
        } catch (RuntimeException e) {
            throw new MasterKeyStoreException("cannot configure SunPKCS11 for token '" + tokenLabel + "' in " + library
                    + ": " + GcmKeyWrap.rootMessage(e), e);
        }
        KeyStore keyStore;
        try {
            keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, pin);
        } catch (IOException | GeneralSecurityException | ProviderException e) {
            throw loginFailure(tokenLabel, e);
        }
        Pkcs11MasterKeyStore store = new Pkcs11MasterKeyStore(library, tokenLabel, provider, keyStore,
                pin.clone(), masterKeyLabel);
        if (!store.containsMasterKey(masterKeyLabel)) {
            store.create(masterKeyLabel);
        }
        return store;
    }

    private static MasterKeyStoreException loginFailure(String tokenLabel, Exception e) {
        if (GcmKeyWrap.hasPkcs11Error(e, "CKR_PIN_INCORRECT")) {
            return new MasterKeyStoreException("wrong PIN for PKCS#11 token '" + tokenLabel + "' (CKR_PIN_INCORRECT)", e);
        }
        if (GcmKeyWrap.hasPkcs11Error(e, "CKR_PIN_LOCKED")) {
            return new MasterKeyStoreException("PKCS#11 token '" + tokenLabel + "' is locked (CKR_PIN_LOCKED)", e);
        }
        return new MasterKeyStoreException("cannot log in to PKCS#11 token '" + tokenLabel + "': "
                + GcmKeyWrap.rootMessage(e), e);
    }

    @Override
    public String description() {
        return "PKCS#11 token '" + tokenLabel + "' (" + library + ")";
    }

    @Override
    void create(String label) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
            generator.init(256, new SecureRandom());
            SecretKey sessionKey = generator.generateKey();
            // Storing it under an alias copies it to the token: a persistent, sensitive, unextractable object.
            keyStore.setEntry(label, new KeyStore.SecretKeyEntry(sessionKey), null);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new MasterKeyStoreException("cannot create master key '" + label + "' on PKCS#11 token '"
                    + tokenLabel + "': " + GcmKeyWrap.rootMessage(e), e);
        }
        keys.remove(label);
        if (findKey(label) == null) {
            throw new MasterKeyStoreException("master key '" + label + "' was created but is not found on token '"
                    + tokenLabel + "'");
        }
    }

    @Override
    void createMacKey(String label) {
        try {
            // JDK 17's SunPKCS11 generates a CKK_GENERIC_SECRET with CKM_GENERIC_SECRET_KEY_GEN for "HmacSHA256".
            KeyGenerator generator = KeyGenerator.getInstance("HmacSHA256", provider);
            generator.init(256, new SecureRandom());
            keyStore.setEntry(label, new KeyStore.SecretKeyEntry(generator.generateKey()), null);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new MasterKeyStoreException("cannot create audit key '" + label + "' on PKCS#11 token '"
                    + tokenLabel + "': " + GcmKeyWrap.rootMessage(e), e);
        }
        keys.remove(label);
    }

    @Override
    Key findKey(String label) {
        Key k = keys.get(label);
        if (k != null) {
            return k;
        }
        try {
            k = keyStore.getKey(label, null);
            if (k == null) {
                // Another instance may have created it since we logged in: refresh the alias list.
                synchronized (this) {
                    keyStore.load(null, pin);
                    k = keyStore.getKey(label, null);
                }
            }
        } catch (IOException | GeneralSecurityException | ProviderException e) {
            throw new MasterKeyStoreException("PKCS#11 token '" + tokenLabel + "' failed to look up master key '"
                    + label + "': " + GcmKeyWrap.rootMessage(e), e);
        }
        if (k != null) {
            keys.put(label, k);
        }
        return k;
    }

    @Override
    void deleteEntry(String label) {
        try {
            keyStore.deleteEntry(label);
            keys.remove(label);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new MasterKeyStoreException("cannot delete master key '" + label + "' from PKCS#11 token '"
                    + tokenLabel + "': " + GcmKeyWrap.rootMessage(e), e);
        }
    }

    @Override
    String where() {
        return "on PKCS#11 token '" + tokenLabel + "'";
    }

    /** The SunPKCS11 provider (tests use it to prove keys are unextractable and to lose the session). */
    AuthProvider provider() {
        return provider;
    }

    /** The token's key object for {@code label}, or null. */
    Key keyObject(String label) {
        return findKey(label);
    }

    @Override
    public void close() {
        Arrays.fill(pin, '\0');
        keys.clear();
        try {
            provider.logout();
        } catch (LoginException | ProviderException e) {
            // already logged out or the token is gone: nothing left to release
        }
    }
}
