package dev.pgseal.keys.store;

/**
 * The key store database cannot be reached, migrated, read or written. The message names the
 * database (URL without password) and the failing step.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
