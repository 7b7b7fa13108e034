package dev.pgseal.keys;

/**
 * The master key store cannot be opened or used: PKCS#11 library missing, token not found, wrong
 * PIN, token unreachable, keystore file unreadable. The message is one sentence naming the library,
 * token, label or file involved, never a PIN or key bytes.
 */
public class MasterKeyStoreException extends RuntimeException {
    public MasterKeyStoreException(String message) {
        super(message);
    }

    public MasterKeyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
