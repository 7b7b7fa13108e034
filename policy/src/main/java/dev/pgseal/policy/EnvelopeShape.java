package dev.pgseal.policy;

/**
 * The outward shape of the ciphertext envelope stored in a protected column (a stored format and a
 * contract): what PostgreSQL itself can check with a CHECK constraint, and what the key service
 * writes. Kept here, below both, so the constraint pgseal asks for and the envelopes it writes
 * cannot drift apart.
 *
 * <p>Layout: format version (1 byte), mode (1 byte), key-ring id (4 bytes, big-endian), key version
 * (4 bytes, big-endian), then the mode's body: randomized = 12-byte nonce, ciphertext, 16-byte tag;
 * deterministic = 16-byte synthetic IV/tag, ciphertext.
 */
public final class EnvelopeShape {

    /** The format version this build writes and reads (2: one HKDF subkey per mode). */
    public static final int FORMAT_VERSION = 2;
    /** Version, mode, ring id, key version. */
    public static final int HEADER_SIZE = 10;
    /** Mode byte of a randomized envelope (AES-256-GCM). */
    public static final int MODE_RANDOMIZED = 1;
    /** Mode byte of a deterministic envelope (AES-256-GCM-SIV). */
    public static final int MODE_DETERMINISTIC = 2;
    /** Smallest randomized envelope: header, nonce, tag (empty plaintext). */
    public static final int MIN_RANDOMIZED_LENGTH = HEADER_SIZE + 12 + 16;
    /** Smallest deterministic envelope: header, tag (empty plaintext). */
    public static final int MIN_DETERMINISTIC_LENGTH = HEADER_SIZE + 16;

    private EnvelopeShape() {
    }

    /** The mode byte for a column's encryption. */
    public static int modeByte(Encryption encryption) {
        return encryption == Encryption.DETERMINISTIC ? MODE_DETERMINISTIC : MODE_RANDOMIZED;
    }

    /** The smallest envelope a column with this encryption can hold. */
    public static int minimumLength(Encryption encryption) {
        return encryption == Encryption.DETERMINISTIC ? MIN_DETERMINISTIC_LENGTH : MIN_RANDOMIZED_LENGTH;
    }
}
