package dev.pgseal.keys.envelope;

import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.keys.MalformedEnvelopeException;
import dev.pgseal.keys.crypto.AesGcmAead;
import dev.pgseal.keys.crypto.AesGcmSivDeterministicAead;
import dev.pgseal.policy.EnvelopeShape;

/**
 * Byte layout of the envelope (a stored format: see {@link EnvelopeHeader}). Kept in one place so
 * that writing, reading and the cheap shape check cannot drift apart.
 */
public final class EnvelopeLayout {

    /** The only format version this build writes and reads (2: one HKDF subkey per mode). */
    public static final int FORMAT_VERSION = EnvelopeShape.FORMAT_VERSION;
    /** Version, mode, ring id, key version. */
    public static final int HEADER_SIZE = EnvelopeShape.HEADER_SIZE;

    static {
        // The policy module states the shape PostgreSQL's CHECK constraint enforces; the primitives
        // must produce exactly that, or every write would fail with 23514.
        if (EncryptionMode.RANDOMIZED.code() != EnvelopeShape.MODE_RANDOMIZED
                || EncryptionMode.DETERMINISTIC.code() != EnvelopeShape.MODE_DETERMINISTIC
                || minimumLength(EncryptionMode.RANDOMIZED) != EnvelopeShape.MIN_RANDOMIZED_LENGTH
                || minimumLength(EncryptionMode.DETERMINISTIC) != EnvelopeShape.MIN_DETERMINISTIC_LENGTH) {
            throw new ExceptionInInitializerError("envelope layout disagrees with EnvelopeShape");
        }
    }

    private EnvelopeLayout() {
    }

    /** Smallest valid envelope for {@code mode} (empty plaintext). */
    public static int minimumLength(EncryptionMode mode) {
        return HEADER_SIZE + switch (mode) {
            case RANDOMIZED -> AesGcmAead.NONCE_SIZE + AesGcmAead.TAG_SIZE;
            case DETERMINISTIC -> AesGcmSivDeterministicAead.TAG_SIZE;
        };
    }

    /** Writes the header into {@code out[0, HEADER_SIZE)}. */
    static void writeHeader(byte[] out, EncryptionMode mode, int ringId, int keyVersion) {
        out[0] = (byte) FORMAT_VERSION;
        out[1] = (byte) mode.code();
        writeInt(out, 2, ringId);
        writeInt(out, 6, keyVersion);
    }

    /** Associated data: the envelope's header bytes, then the column identity. */
    static byte[] associatedData(byte[] envelope, ColumnIdentity column) {
        byte[] ad = new byte[HEADER_SIZE + column.encodedLength()];
        System.arraycopy(envelope, 0, ad, 0, HEADER_SIZE);
        column.copyEncodedTo(ad, HEADER_SIZE);
        return ad;
    }

    /** See {@link EnvelopeHeader#parse(byte[])}. */
    public static EnvelopeHeader parseHeader(byte[] envelope) {
        if (envelope == null || envelope.length < HEADER_SIZE) {
            throw new MalformedEnvelopeException("not a pgseal envelope: "
                    + (envelope == null ? "null" : envelope.length + " bytes") + " (expected: >= " + HEADER_SIZE + ")");
        }
        int version = envelope[0] & 0xff;
        if (version != FORMAT_VERSION) {
            throw new MalformedEnvelopeException("unknown envelope format version " + version
                    + " (this build reads version " + FORMAT_VERSION + ")");
        }
        EncryptionMode mode = EncryptionMode.fromCode(envelope[1] & 0xff);
        if (mode == null) {
            throw new MalformedEnvelopeException("unknown envelope mode " + (envelope[1] & 0xff));
        }
        int ringId = readInt(envelope, 2);
        int keyVersion = readInt(envelope, 6);
        if (ringId <= 0 || keyVersion <= 0) {
            throw new MalformedEnvelopeException("envelope names key ring " + ringId + " version " + keyVersion
                    + " (expected: both > 0)");
        }
        if (envelope.length < minimumLength(mode)) {
            throw new MalformedEnvelopeException("truncated envelope: " + envelope.length + " bytes (expected: >= "
                    + minimumLength(mode) + ")");
        }
        return new EnvelopeHeader(version, mode, ringId, keyVersion);
    }

    /** See {@link EnvelopeHeader#looksLikeEnvelope(byte[])}. */
    public static boolean looksLikeEnvelope(byte[] value) {
        if (value == null || value.length < HEADER_SIZE || (value[0] & 0xff) != FORMAT_VERSION) {
            return false;
        }
        EncryptionMode mode = EncryptionMode.fromCode(value[1] & 0xff);
        return mode != null && readInt(value, 2) > 0 && readInt(value, 6) > 0 && value.length >= minimumLength(mode);
    }

    private static void writeInt(byte[] out, int offset, int value) {
        out[offset] = (byte) (value >>> 24);
        out[offset + 1] = (byte) (value >>> 16);
        out[offset + 2] = (byte) (value >>> 8);
        out[offset + 3] = (byte) value;
    }

    private static int readInt(byte[] in, int offset) {
        return (in[offset] & 0xff) << 24 | (in[offset + 1] & 0xff) << 16 | (in[offset + 2] & 0xff) << 8 | (in[offset + 3] & 0xff);
    }
}
