package dev.pgseal.keys.kms;

import static dev.pgseal.keys.kms.KeyOperation.DECAPSULATE;
import static dev.pgseal.keys.kms.KeyOperation.DECRYPT;
import static dev.pgseal.keys.kms.KeyOperation.ENCAPSULATE;
import static dev.pgseal.keys.kms.KeyOperation.ENCRYPT;
import static dev.pgseal.keys.kms.KeyOperation.GENERATE_DATA_KEY;
import static dev.pgseal.keys.kms.KeyOperation.PUBLIC_KEY;
import static dev.pgseal.keys.kms.KeyOperation.RE_ENCRYPT;
import static dev.pgseal.keys.kms.KeyOperation.SIGN;
import static dev.pgseal.keys.kms.KeyOperation.VERIFY;

import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a key ring's versions are: one algorithm per ring, so no key ever serves two algorithms.
 * Every type has the same versions and lifecycle; asymmetric versions hold their private key wrapped
 * under the master key (like data keys) and their public key in the clear.
 *
 * <p>The name is stored in {@code pgseal.key_rings.key_type} and the code in every data-plane
 * ciphertext, signature and encapsulation: both are stored formats, never change them.
 */
public enum KeyType {
    /** AES-256-GCM data keys: column encryption and data-plane encrypt/decrypt. The default. */
    AES_256_GCM("aes-256-gcm", 1, EnumSet.of(ENCRYPT, DECRYPT, GENERATE_DATA_KEY, RE_ENCRYPT)),
    /** RSA 3072 with OAEP, SHA-256 and MGF1-SHA-256 (RFC 8017): asymmetric encryption of short values. */
    RSA_3072_OAEP("rsa-3072-oaep", 2, EnumSet.of(ENCRYPT, DECRYPT, GENERATE_DATA_KEY, RE_ENCRYPT, PUBLIC_KEY)),
    /** RSA 3072 signatures, RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt. */
    RSA_3072_PSS("rsa-3072-pss", 3, EnumSet.of(SIGN, VERIFY, PUBLIC_KEY)),
    /** ECDSA on P-256 with SHA-256 (FIPS 186-5), DER-encoded signatures. */
    EC_P256("ec-p256", 4, EnumSet.of(SIGN, VERIFY, PUBLIC_KEY)),
    /** Ed25519 (RFC 8032). */
    ED25519("ed25519", 5, EnumSet.of(SIGN, VERIFY, PUBLIC_KEY)),
    /** ML-DSA-65 (FIPS 204), pure mode with an empty context, hedged signing. */
    ML_DSA_65("ml-dsa-65", 6, EnumSet.of(SIGN, VERIFY, PUBLIC_KEY)),
    /** ML-KEM-768 (FIPS 203) key encapsulation. */
    ML_KEM_768("ml-kem-768", 7, EnumSet.of(ENCAPSULATE, DECAPSULATE, PUBLIC_KEY));

    private final String displayName;
    private final int code;
    private final Set<KeyOperation> operations;

    KeyType(String displayName, int code, Set<KeyOperation> operations) {
        this.displayName = displayName;
        this.code = code;
        this.operations = Set.copyOf(operations);
    }

    /** The name used in the API, the store and output: {@code aes-256-gcm}, {@code ed25519}, … */
    public String displayName() {
        return displayName;
    }

    /** The one-byte code in data-plane ciphertexts, signatures and encapsulations. */
    public int code() {
        return code;
    }

    /** The data-plane operations this type offers. */
    public Set<KeyOperation> operations() {
        return operations;
    }

    /** Whether versions are key pairs (a private key wrapped, a public key in the clear). */
    public boolean asymmetric() {
        return this != AES_256_GCM;
    }

    /** Whether this type can be a policy key (column encryption): only AES-256-GCM. */
    public boolean servesColumns() {
        return this == AES_256_GCM;
    }

    /**
     * Generates the material of a new version: 32 random bytes for AES-256-GCM, else a fresh key
     * pair encoded for wrapping, with its public key (X.509 SubjectPublicKeyInfo, DER).
     */
    public GeneratedKey generate(SecureRandom random) {
        return KeyMaterial.generate(this, random);
    }

    /**
     * Parses {@code aes-256-gcm}, {@code ED25519}, {@code ml_kem_768}, …
     *
     * @throws IllegalArgumentException naming the types accepted
     */
    public static KeyType parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        for (KeyType k : values()) {
            if (k.displayName.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown key type '" + text + "' (expected one of: " + names() + ")");
    }

    /** The type with this code, or null. */
    static KeyType byCode(int code) {
        for (KeyType k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }

    /** Every type's name, comma-separated. */
    public static String names() {
        return Stream.of(values()).map(KeyType::displayName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return displayName;
    }
}
