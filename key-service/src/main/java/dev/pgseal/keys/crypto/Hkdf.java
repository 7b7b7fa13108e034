package dev.pgseal.keys.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869) on the JDK's {@code HmacSHA256}: extract a pseudorandom key from
 * input keying material and a salt, then expand it into output keying material bound to an info
 * string. Used to give every envelope mode its own subkey of a data key, so no key ever serves two
 * algorithms. Checked against RFC 5869's SHA-256 test vectors.
 */
public final class Hkdf {

    /** HMAC-SHA256 output size, the length of the extracted key. */
    public static final int HASH_LENGTH = 32;
    /** RFC 5869's bound on the output length: 255 blocks of the hash. */
    public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;

    private Hkdf() {
    }

    /**
     * HKDF-Extract then HKDF-Expand. The caller owns the returned array and should erase it.
     *
     * @param salt the salt; null or empty means RFC 5869's default of {@value #HASH_LENGTH} zero bytes
     * @param info context and application specific information (not secret)
     * @throws IllegalArgumentException unless {@code 0 < length <= MAX_OUTPUT_LENGTH}
     */
    public static byte[] deriveSha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
        byte[] prk = extract(inputKeyMaterial, salt);
        try {
            return expand(prk, info, length);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    /** HKDF-Extract: {@code PRK = HMAC-SHA256(salt, IKM)}. */
    static byte[] extract(byte[] inputKeyMaterial, byte[] salt) {
        Objects.requireNonNull(inputKeyMaterial, "inputKeyMaterial");
        byte[] s = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        Mac mac = hmac(s);
        return mac.doFinal(inputKeyMaterial);
    }

    /** HKDF-Expand: {@code T(i) = HMAC-SHA256(PRK, T(i-1) || info || i)}, the first {@code length} bytes. */
    static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length <= 0 || length > MAX_OUTPUT_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 output length: " + length + " (expected: 1.."
                    + MAX_OUTPUT_LENGTH + ")");
        }
        byte[] context = info == null ? new byte[0] : info;
        Mac mac = hmac(prk);
        byte[] out = new byte[length];
        byte[] block = new byte[0];
        int written = 0;
        for (int i = 1; written < length; i++) {
            mac.update(block);
            mac.update(context);
            mac.update((byte) i);
            Arrays.fill(block, (byte) 0);
            block = mac.doFinal();
            int n = Math.min(block.length, length - written);
            System.arraycopy(block, 0, out, written, n);
            written += n;
        }
        Arrays.fill(block, (byte) 0);
        return out;
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }
}
