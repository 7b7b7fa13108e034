package dev.pgseal.keys.kms;

import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The bytes a key version wraps under the master key. AES-256-GCM: the 32-byte key, as before key
 * types existed. Asymmetric types: {@code 0x01 || type code || u32 length || private key || u32
 * length || public key}, where the private key is PKCS#8 (RSA, EC, Ed25519) or the FIPS seed
 * (ML-DSA-65: 32 bytes, ML-KEM-768: 64 bytes) and the public key is its SubjectPublicKeyInfo. The
 * public key is wrapped with the private one so that pgseal always computes with the public key the
 * master key authenticates; the copy stored in the clear must match it (a stored format: never
 * change).
 */
final class KeyMaterial {

    static final int FORMAT = 1;
    static final int AES_KEY_BYTES = 32;

    private KeyMaterial() {
    }

    static GeneratedKey generate(KeyType type, SecureRandom random) {
        switch (type) {
            case AES_256_GCM -> {
                return new GeneratedKey(SecretBytes.random(AES_KEY_BYTES, random), null);
            }
            case ML_DSA_65 -> {
                byte[][] kp = MlDsa65.generate(random);
                return pair(type, kp[0], PublicKeys.spkiOfRaw(type, kp[1]));
            }
            case ML_KEM_768 -> {
                byte[][] kp = MlKem768.generate(random);
                return pair(type, kp[0], PublicKeys.spkiOfRaw(type, kp[1]));
            }
            default -> {
                KeyPair kp = ClassicalKeys.generate(type, random);
                return pair(type, kp.getPrivate().getEncoded(), kp.getPublic().getEncoded());
            }
        }
    }

    /** Encodes a key pair for wrapping; erases {@code privateKey}. */
    static GeneratedKey pair(KeyType type, byte[] privateKey, byte[] spki) {
        byte[] blob = ByteBuffer.allocate(2 + 4 + privateKey.length + 4 + spki.length)
                .put((byte) FORMAT).put((byte) type.code())
                .putInt(privateKey.length).put(privateKey)
                .putInt(spki.length).put(spki)
                .array();
        Arrays.fill(privateKey, (byte) 0);
        try {
            return new GeneratedKey(SecretBytes.copyOf(blob, SecretAccess.INSTANCE), spki);
        } finally {
            Arrays.fill(blob, (byte) 0);
        }
    }

    /** A key pair read back from its unwrapped bytes: the private key (a copy the caller erases) and the SPKI. */
    record Pair(byte[] privateKey, byte[] spki) {
    }

    /**
     * Reads the unwrapped bytes of an asymmetric version.
     *
     * @throws IllegalArgumentException when they are not a key pair of {@code type}
     */
    static Pair read(KeyType type, SecretBytes material) {
        byte[] b = material.reveal(SecretAccess.INSTANCE);
        try {
            ByteBuffer in = ByteBuffer.wrap(b);
            if (in.remaining() < 2 || in.get() != FORMAT || (in.get() & 0xff) != type.code()) {
                throw new IllegalArgumentException("the wrapped material is not a " + type + " key pair");
            }
            byte[] priv = chunk(in);
            byte[] spki = chunk(in);
            if (in.hasRemaining()) {
                Arrays.fill(priv, (byte) 0);
                throw new IllegalArgumentException("the wrapped material has trailing bytes");
            }
            return new Pair(priv, spki);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("the wrapped material is truncated");
        }
    }

    private static byte[] chunk(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("the wrapped material is truncated");
        }
        byte[] out = new byte[n];
        in.get(out);
        return out;
    }
}
