package dev.pgseal.keys.kms;

/**
 * A data-plane request pgseal refuses before or instead of doing crypto: the ring does not offer the
 * operation, its key state forbids it, or the input is not acceptable. A user error; the message
 * names the ring and never holds a plaintext or key. (A ciphertext that does not decrypt is a
 * {@link dev.pgseal.keys.DecryptionException} with its one generic message instead.)
 */
public class DataPlaneException extends RuntimeException {

    /** Why the request was refused. */
    public enum Reason {
        /** The ring's type does not offer the operation (e.g. encrypt on an Ed25519 ring). */
        UNSUPPORTED,
        /** The ring or version may not be used now (deleted, scheduled for deletion, no usable version…). */
        UNAVAILABLE,
        /** The input is not acceptable (too long, malformed envelope for a sign/verify/KEM call…). */
        INVALID_INPUT
    }

    private final Reason reason;

    public DataPlaneException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DataPlaneException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }
}
