package dev.pgseal.keys;

/**
 * How a column is encrypted. The code is the envelope's mode byte (a stored format: never renumber).
 */
public enum EncryptionMode {
    /** AES-256-GCM with a random nonce: no equality search, no leakage beyond length. */
    RANDOMIZED(1),
    /** AES-256-GCM-SIV with a fixed nonce: equal values give equal ciphertexts (equality search). */
    DETERMINISTIC(2);

    private final int code;

    EncryptionMode(int code) {
        this.code = code;
    }

    /** The envelope's mode byte. */
    public int code() {
        return code;
    }

    /** The mode with this envelope byte, or {@code null} when none has it. */
    public static EncryptionMode fromCode(int code) {
        return switch (code) {
            case 1 -> RANDOMIZED;
            case 2 -> DETERMINISTIC;
            default -> null;
        };
    }
}
