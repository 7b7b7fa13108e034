package dev.pgseal.keys;

/**
 * A ciphertext could not be decrypted. Failures of the cryptography itself (wrong tag, truncated
 * ciphertext, other key, other associated data, other column) all carry the one message
 * {@value #GENERIC_MESSAGE} and no cause, so the error is no oracle. Structural problems with the
 * public envelope header, found before any crypto runs, are reported by the subclass
 * {@link MalformedEnvelopeException} with a specific message.
 */
public class DecryptionException extends RuntimeException {

    /** The message of every cryptographic failure. */
    public static final String GENERIC_MESSAGE = "ciphertext could not be decrypted";

    /** A failure of the cryptography, with the generic message. */
    public DecryptionException() {
        super(GENERIC_MESSAGE, null, false, false);
    }

    /** For subclasses that report a non-secret, structural problem. */
    protected DecryptionException(String message) {
        super(message);
    }
}
