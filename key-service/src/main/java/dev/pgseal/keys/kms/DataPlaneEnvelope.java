package dev.pgseal.keys.kms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The envelope of every data-plane output that must name its key: {@code kind (1) || key type code
 * (1) || ring id (4, big-endian) || key version (4) || body}. Kinds: {@code 0xD1} ciphertext (body:
 * AES-GCM {@code nonce || ciphertext || tag}, or the RSA-OAEP ciphertext), {@code 0xD2} signature
 * (body: the algorithm's own signature), {@code 0xD3} encapsulation (body: the ML-KEM ciphertext).
 * The kinds are distinct from the column envelope's format versions, so neither is ever taken for
 * the other (a stored format: never change).
 *
 * @param kind one of the kind bytes
 * @param typeCode the ring type's code
 * @param ringId the ring's id
 * @param version the key version
 * @param body what follows the header
 */
record DataPlaneEnvelope(int kind, int typeCode, int ringId, int version, byte[] body) {

    static final int CIPHERTEXT = 0xD1;
    static final int SIGNATURE = 0xD2;
    static final int ENCAPSULATION = 0xD3;
    static final int HEADER_BYTES = 10;
    private static final byte[] AAD_DOMAIN = "pgseal kms v1".getBytes(StandardCharsets.US_ASCII);

    byte[] header() {
        return ByteBuffer.allocate(HEADER_BYTES).put((byte) kind).put((byte) typeCode).putInt(ringId).putInt(version)
                .array();
    }

    byte[] encode() {
        return ByteBuffer.allocate(HEADER_BYTES + body.length).put(header()).put(body).array();
    }

    /**
     * Reads an envelope of {@code kind}; null when the bytes are too short or of another kind (the
     * caller answers with its own error, so no detail leaks from here).
     */
    static DataPlaneEnvelope decode(byte[] bytes, int kind) {
        if (bytes == null || bytes.length < HEADER_BYTES || (bytes[0] & 0xff) != kind) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get();
        int type = in.get() & 0xff;
        int ringId = in.getInt();
        int version = in.getInt();
        return new DataPlaneEnvelope(kind, type, ringId, version, Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length));
    }

    /** The associated data of a ciphertext (AES-GCM AAD, RSA-OAEP label): domain, header, context. */
    byte[] associatedData(EncryptionContext context) {
        byte[] c = context.canonical();
        return ByteBuffer.allocate(AAD_DOMAIN.length + HEADER_BYTES + c.length).put(AAD_DOMAIN).put(header()).put(c)
                .array();
    }
}
