package dev.pgseal.keys.crypto;

import dev.pgseal.keys.Aead;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link Aead} with AES-256-GCM (NIST SP 800-38D): a fresh 96-bit nonce from a {@link SecureRandom}
 * per message and a 128-bit tag. Output: {@code nonce (12) || ciphertext || tag (16)}.
 *
 * <p>Runs on the JDK's SunJCE provider, whose AES-GCM uses the AES-NI and CLMUL intrinsics. Each
 * thread keeps its own {@link Cipher} for this key, so a call pays no provider lookup; only the
 * per-message nonce is set. Limit: at most 2<sup>32</sup> messages per key (random-nonce bound).
 */
public final class AesGcmAead implements Aead {

    /** Key size in bytes (AES-256). */
    public static final int KEY_SIZE = 32;
    /** Nonce size in bytes. */
    public static final int NONCE_SIZE = 12;
    /** Tag size in bytes. */
    public static final int TAG_SIZE = 16;

    private final SecretKeySpec key;
    private final SecureRandom random;
    private final ThreadLocal<Cipher> ciphers;

    private AesGcmAead(SecretKeySpec key, SecureRandom random) {
        this.key = key;
        this.random = random;
        this.ciphers = ThreadLocal.withInitial(AesGcmAead::newCipher);
    }

    /**
     * An AES-256-GCM AEAD over {@code key} with nonces from a shared {@link SecureRandom}.
     *
     * @throws IllegalArgumentException unless the key has 32 bytes
     */
    public static AesGcmAead create(SecretBytes key) {
        return create(key, SharedRandom.INSTANCE);
    }

    /** As {@link #create(SecretBytes)} with an explicit nonce source. */
    public static AesGcmAead create(SecretBytes key, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        if (key.length() != KEY_SIZE) {
            throw new IllegalArgumentException("AES-256-GCM needs a " + KEY_SIZE + "-byte key, got " + key.length());
        }
        return new AesGcmAead(new SecretKeySpec(key.reveal(SecretAccess.INSTANCE), "AES"), random);
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_SIZE];
        random.nextBytes(nonce);
        return encryptWithNonce(nonce, plaintext, associatedData);
    }

    /** Encryption with a caller-chosen nonce: for known-answer tests only. */
    byte[] encryptWithNonce(byte[] nonce, byte[] plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] out = new byte[NONCE_SIZE + plaintext.length + TAG_SIZE];
        System.arraycopy(nonce, 0, out, 0, NONCE_SIZE);
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_SIZE * 8, nonce));
            if (associatedData != null && associatedData.length > 0) {
                cipher.updateAAD(associatedData);
            }
            cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_SIZE);
            return out;
        } catch (GeneralSecurityException e) {
            // Cannot happen with a valid key and a fresh nonce: an internal error, not a user one.
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
        if (ciphertext == null || ciphertext.length < NONCE_SIZE + TAG_SIZE) {
            throw new DecryptionException();
        }
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_SIZE * 8, ciphertext, 0, NONCE_SIZE));
            if (associatedData != null && associatedData.length > 0) {
                cipher.updateAAD(associatedData);
            }
            return cipher.doFinal(ciphertext, NONCE_SIZE, ciphertext.length - NONCE_SIZE);
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new DecryptionException();
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/GCM/NoPadding", e);
        }
    }

    @Override
    public String toString() {
        return "AesGcmAead[AES-256-GCM, key redacted]";
    }
}
