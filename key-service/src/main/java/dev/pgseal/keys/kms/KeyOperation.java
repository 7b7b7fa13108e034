package dev.pgseal.keys.kms;

import java.util.Locale;

/**
 * A data-plane operation on a key ring. Which ones a ring offers depends on its {@link KeyType};
 * which ones a principal of role {@code app} may call on a ring is what its grant lists.
 */
public enum KeyOperation {
    /** Encrypt under the primary version (AES-256-GCM or RSA-OAEP rings). */
    ENCRYPT,
    /** Decrypt a ciphertext under the version it names. */
    DECRYPT,
    /** A fresh AES-256 data key, returned encrypted (and in plaintext when asked). */
    GENERATE_DATA_KEY,
    /** Decrypt and encrypt again under the primary version, inside pgseal. */
    RE_ENCRYPT,
    /** Sign a message with the primary version. */
    SIGN,
    /** Verify a signature under the version it names. */
    VERIFY,
    /** A fresh shared secret encapsulated to the primary version's public key (ML-KEM). */
    ENCAPSULATE,
    /** Recover a shared secret from an encapsulation under the version it names. */
    DECAPSULATE,
    /** Read a version's public key. */
    PUBLIC_KEY;

    /** The dashed name used in the API, grants and audit: {@code generate-data-key}, … */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses {@code encrypt}, {@code generate-data-key}, {@code GENERATE_DATA_KEY}, …
     *
     * @throws IllegalArgumentException naming the operations accepted
     */
    public static KeyOperation parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (KeyOperation o : values()) {
            if (o.name().equals(t)) {
                return o;
            }
        }
        StringBuilder names = new StringBuilder();
        for (KeyOperation o : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(o.displayName());
        }
        throw new IllegalArgumentException("unknown operation '" + text + "' (expected one of: " + names + ")");
    }
}
