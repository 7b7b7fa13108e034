package dev.pgseal.keys;

/**
 * A key version cannot be used for the requested operation (unknown, destroyed, below the minimum
 * decryption version, HSM unreachable on a cache miss, …). The message names the ring and version,
 * never key material.
 */
public class KeyUnavailableException extends RuntimeException {
    public KeyUnavailableException(String message) {
        super(message);
    }

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
