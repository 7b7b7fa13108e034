package dev.pgseal.keys.master;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretSource;
import java.util.Arrays;

/**
 * Opens the master key store a {@code keystore} config section describes. A {@code pkcs11}
 * section opens the token or fails: it never falls back to the software store.
 */
public final class MasterKeyStores {

    private MasterKeyStores() {
    }

    /** See {@link MasterKeyStore#open(KeystoreSettings)}. */
    public static MasterKeyStore open(KeystoreSettings settings) {
        String label = settings.masterKeyLabel() == null || settings.masterKeyLabel().isBlank()
                ? KeystoreSettings.DEFAULT_MASTER_KEY_LABEL : settings.masterKeyLabel();
        switch (settings.type()) {
            case PKCS11: {
                var library = settings.library().orElseThrow(() ->
                        new MasterKeyStoreException("keystore type pkcs11 needs keystore.library"));
                String token = settings.tokenLabel().orElseThrow(() ->
                        new MasterKeyStoreException("keystore type pkcs11 needs keystore.token_label"));
                SecretSource pinSource = settings.pin().orElseThrow(() ->
                        new MasterKeyStoreException("keystore type pkcs11 needs keystore.pin_env or keystore.pin_file"));
                char[] pin = readSecret(pinSource, "PIN of PKCS#11 token '" + token + "'");
                try {
                    return Pkcs11MasterKeyStore.open(library, token, pin, label);
                } finally {
                    Arrays.fill(pin, '\0');
                }
            }
            case SOFTWARE: {
                var file = settings.file().orElseThrow(() ->
                        new MasterKeyStoreException("keystore type software needs keystore.file"));
                SecretSource source = settings.passphrase().orElseThrow(() -> new MasterKeyStoreException(
                        "keystore type software needs keystore.passphrase_env or keystore.passphrase_file"));
                char[] passphrase = readSecret(source, "passphrase of software keystore " + file);
                try {
                    return SoftwareMasterKeyStore.open(file, passphrase, label);
                } finally {
                    Arrays.fill(passphrase, '\0');
                }
            }
            default:
                throw new MasterKeyStoreException("unknown keystore type " + settings.type());
        }
    }

    private static char[] readSecret(SecretSource source, String what) {
        try {
            return source.read();
        } catch (IllegalStateException e) {
            throw new MasterKeyStoreException("cannot read the " + what + ": " + e.getMessage(), e);
        }
    }
}
