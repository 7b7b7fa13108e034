package dev.pgseal.keys;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where master keys live: the {@code keystore} section of the server config. Secrets (PIN,
 * passphrase) are never in the config itself, only the name of the environment variable or the
 * file that holds them.
 *
 * @param type {@code pkcs11} (an HSM) or {@code software} (a PKCS#12 file; demo and tests only)
 * @param library the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
 * @param tokenLabel the token to use, selected by label
 * @param pin where the token PIN comes from
 * @param masterKeyLabel the label (alias) of the master key on the token
 * @param file the PKCS#12 file of the software store
 * @param passphrase where the software store's passphrase comes from
 */
public record KeystoreSettings(
        Type type,
        Optional<Path> library,
        Optional<String> tokenLabel,
        Optional<SecretSource> pin,
        String masterKeyLabel,
        Optional<Path> file,
        Optional<SecretSource> passphrase) {

    /** The kind of master key store. */
    public enum Type { PKCS11, SOFTWARE }

    /** The default label of the master key. */
    public static final String DEFAULT_MASTER_KEY_LABEL = "pgseal-master";
}
