package dev.pgseal.keys;

import dev.pgseal.keys.envelope.EnvelopeLayout;

/**
 * The public header of a pgseal envelope, the bytes stored in a protected {@code bytea} column:
 * <pre>
 *   offset 0   format version (1 byte, currently {@value EnvelopeLayout#FORMAT_VERSION})
 *          1   mode (1 byte: {@link EncryptionMode#code()})
 *          2   key-ring id (int32, big-endian)
 *          6   key version (int32, big-endian)
 *         10   randomized: nonce (12) || ciphertext || tag (16)
 *              deterministic: ciphertext || tag (16)
 * </pre>
 * The associated data of the AEAD is these 10 header bytes followed by
 * {@link ColumnIdentity#encoded()}, so neither the header nor the column can be changed without
 * decryption failing.
 *
 * @param formatVersion the format version byte
 * @param mode the encryption mode
 * @param ringId the key ring's id
 * @param keyVersion the key version within the ring
 */
public record EnvelopeHeader(int formatVersion, EncryptionMode mode, int ringId, int keyVersion) {

    /**
     * Reads and checks the header of {@code envelope}: length, format version, mode, positive ring
     * id and version. No cryptography.
     *
     * @throws MalformedEnvelopeException naming what is wrong
     */
    public static EnvelopeHeader parse(byte[] envelope) {
        return EnvelopeLayout.parseHeader(envelope);
    }

    /**
     * A cheap check that {@code value} has the shape of a pgseal envelope (known format version and
     * mode, positive ids, long enough for nonce and tag). It proves nothing cryptographically: it
     * is a second check after the catalog says a column is protected.
     */
    public static boolean looksLikeEnvelope(byte[] value) {
        return EnvelopeLayout.looksLikeEnvelope(value);
    }
}
