package dev.pgseal.keys.crypto;

import dev.pgseal.keys.DecryptionException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM-SIV (RFC 8452) for one (key-generating key, nonce) pair: the message-authentication
 * and message-encryption keys of section 4 are derived once, at construction, and reused for every
 * message. With the fixed nonce of deterministic encryption this removes the per-message key
 * derivation and key schedule; the output is bit-for-bit the RFC's. AES runs on the JDK's
 * AES/ECB (AES-NI); POLYVAL on our constant-time {@link Polyval}. Each thread keeps its own ECB
 * {@link Cipher}, keyed once.
 */
final class GcmSivSubkeys {

    static final int NONCE_SIZE = 12;
    static final int TAG_SIZE = 16;
    // RFC 8452 limits plaintext and associated data to 2^36 bytes; Java arrays stay far below.

    private final byte[] nonce;
    private final Polyval polyval;
    private final SecretKeySpec encryptionKey;
    private final ThreadLocal<Cipher> ciphers;

    GcmSivSubkeys(byte[] keyGeneratingKey, byte[] nonce) {
        if (keyGeneratingKey.length != 32 && keyGeneratingKey.length != 16) {
            throw new IllegalArgumentException("AES-GCM-SIV needs a 16- or 32-byte key");
        }
        if (nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("AES-GCM-SIV needs a 12-byte nonce");
        }
        this.nonce = nonce.clone();
        int blocks = keyGeneratingKey.length == 32 ? 6 : 4;
        byte[] input = new byte[16 * blocks];
        for (int i = 0; i < blocks; i++) {
            input[16 * i] = (byte) i; // little-endian 32-bit counter; i < 256
            System.arraycopy(nonce, 0, input, 16 * i + 4, NONCE_SIZE);
        }
        byte[] derived = ecb(new SecretKeySpec(keyGeneratingKey, "AES")).update(input);
        byte[] authKey = new byte[16];
        byte[] encKey = new byte[8 * (blocks - 2)];
        for (int i = 0; i < 2; i++) {
            System.arraycopy(derived, 16 * i, authKey, 8 * i, 8);
        }
        for (int i = 2; i < blocks; i++) {
            System.arraycopy(derived, 16 * i, encKey, 8 * (i - 2), 8);
        }
        this.polyval = new Polyval(authKey);
        this.encryptionKey = new SecretKeySpec(encKey, "AES");
        Arrays.fill(derived, (byte) 0);
        Arrays.fill(authKey, (byte) 0);
        Arrays.fill(encKey, (byte) 0);
        Arrays.fill(input, (byte) 0);
        SecretKeySpec keySpec = encryptionKey;
        this.ciphers = ThreadLocal.withInitial(() -> ecb(keySpec));
    }

    /** {@code ciphertext || tag}. */
    byte[] seal(byte[] plaintext, byte[] associatedData) {
        byte[] ad = associatedData == null ? new byte[0] : associatedData;
        Cipher aes = ciphers.get();
        byte[] tag = tag(aes, plaintext, 0, plaintext.length, ad);
        byte[] out = new byte[plaintext.length + TAG_SIZE];
        ctr(aes, tag, plaintext, 0, plaintext.length, out, 0);
        System.arraycopy(tag, 0, out, plaintext.length, TAG_SIZE);
        return out;
    }

    /** Opens {@code ciphertext || tag}, failing with the generic {@link DecryptionException}. */
    byte[] open(byte[] ciphertext, byte[] associatedData) {
        if (ciphertext == null || ciphertext.length < TAG_SIZE) {
            throw new DecryptionException();
        }
        byte[] ad = associatedData == null ? new byte[0] : associatedData;
        Cipher aes = ciphers.get();
        int length = ciphertext.length - TAG_SIZE;
        byte[] tag = Arrays.copyOfRange(ciphertext, length, ciphertext.length);
        byte[] plaintext = new byte[length];
        ctr(aes, tag, ciphertext, 0, length, plaintext, 0);
        byte[] expected = tag(aes, plaintext, 0, length, ad);
        if (!MessageDigest.isEqual(expected, tag)) {
            Arrays.fill(plaintext, (byte) 0);
            throw new DecryptionException();
        }
        return plaintext;
    }

    private byte[] tag(Cipher aes, byte[] plaintext, int offset, int length, byte[] ad) {
        long[] acc = new long[2];
        polyval.update(acc, ad, 0, ad.length);
        polyval.update(acc, plaintext, offset, length);
        polyval.updateLengths(acc, ad.length, length);
        byte[] s = new byte[16];
        Polyval.store(acc, s);
        for (int i = 0; i < NONCE_SIZE; i++) {
            s[i] ^= nonce[i];
        }
        s[15] &= 0x7f;
        return blockMany(aes, s);
    }

    /** AES-CTR with RFC 8452's counter: the tag with its top bit set, low 32 bits little-endian. */
    private static void ctr(Cipher aes, byte[] tag, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
        if (length == 0) {
            return;
        }
        int blocks = (length + 15) / 16;
        byte[] counters = new byte[16 * blocks];
        int counter = (tag[0] & 0xff) | (tag[1] & 0xff) << 8 | (tag[2] & 0xff) << 16 | (tag[3] & 0xff) << 24;
        for (int b = 0; b < blocks; b++) {
            int base = 16 * b;
            System.arraycopy(tag, 4, counters, base + 4, 12);
            counters[base + 15] |= (byte) 0x80;
            int c = counter + b; // wraps mod 2^32 as the RFC says
            counters[base] = (byte) c;
            counters[base + 1] = (byte) (c >>> 8);
            counters[base + 2] = (byte) (c >>> 16);
            counters[base + 3] = (byte) (c >>> 24);
        }
        byte[] stream = blockMany(aes, counters);
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = (byte) (in[inOffset + i] ^ stream[i]);
        }
    }

    private static byte[] blockMany(Cipher aes, byte[] input) {
        try {
            return aes.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES block encryption failed", e);
        }
    }

    private static Cipher ecb(SecretKeySpec key) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/ECB/NoPadding", e);
        }
    }
}
