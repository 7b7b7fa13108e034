package dev.pgseal.keys.master;

import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.WrappedKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Data-key wrapping by AES-GCM encryption under a master key, inside whatever provider holds the
 * key (the HSM for PKCS#11). Format: {@code 0x01 || IV(12) || ciphertext || tag(16)}; associated
 * data: a domain tag, the master key label and the caller's associated data, length-prefixed.
 * (AES-KW is not usable through SunPKCS11 with SoftHSM2 on JDK 17; see ARCHITECTURE.md.)
 */
final class GcmKeyWrap {

    static final byte FORMAT = 1;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] DOMAIN = "pgseal/dek-wrap/v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private GcmKeyWrap() {
    }

    static WrappedKey wrap(Provider provider, Key masterKey, String label, SecretBytes dataKey, byte[] associatedData)
            throws GeneralSecurityException {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(fullAssociatedData(label, associatedData));
        byte[] sealed = cipher.doFinal(dataKey.reveal(SecretAccess.INSTANCE));
        byte[] out = new byte[1 + IV_BYTES + sealed.length];
        out[0] = FORMAT;
        System.arraycopy(iv, 0, out, 1, IV_BYTES);
        System.arraycopy(sealed, 0, out, 1 + IV_BYTES, sealed.length);
        return new WrappedKey(label, out);
    }

    static SecretBytes unwrap(Provider provider, Key masterKey, WrappedKey wrapped, byte[] associatedData)
            throws GeneralSecurityException {
        byte[] in = wrapped.bytes();
        if (in.length < 1 + IV_BYTES + TAG_BITS / 8 || in[0] != FORMAT) {
            throw new GeneralSecurityException("not a pgseal wrapped key (format or length)");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        cipher.init(Cipher.DECRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, in, 1, IV_BYTES));
        cipher.updateAAD(fullAssociatedData(wrapped.masterKeyLabel(), associatedData));
        byte[] plain = cipher.doFinal(in, 1 + IV_BYTES, in.length - 1 - IV_BYTES);
        try {
            return SecretBytes.copyOf(plain, SecretAccess.INSTANCE);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] fullAssociatedData(String label, byte[] callers) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + DOMAIN.length + l.length + callers.length)
                .putInt(DOMAIN.length).put(DOMAIN)
                .putInt(l.length).put(l)
                .putInt(callers.length).put(callers)
                .array();
    }

    /** The deepest cause's message, for one-line errors. */
    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m;
    }

    /** Whether the cause chain holds a PKCS#11 error with this code name (e.g. CKR_PIN_INCORRECT). */
    static boolean hasPkcs11Error(Throwable t, String code) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getName().endsWith("PKCS11Exception") && String.valueOf(c.getMessage()).contains(code)) {
                return true;
            }
        }
        return false;
    }
}
