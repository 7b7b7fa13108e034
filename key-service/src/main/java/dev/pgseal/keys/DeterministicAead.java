package dev.pgseal.keys;

/**
 * Deterministic authenticated encryption with associated data (DAEAD): the same plaintext and
 * associated data under the same key always give the same ciphertext. That is what lets PostgreSQL
 * compare ciphertexts for equality, and it is also the weakness: an observer learns which stored
 * values are equal. Use {@link Aead} for every column that is not searched by equality.
 *
 * <p>Security contract: deterministic authenticated encryption (DAE, Rogaway–Shrimpton): apart from
 * the equality of (plaintext, associated data) pairs and their lengths, ciphertexts reveal nothing,
 * and any modification of the ciphertext or associated data makes decryption fail. The method
 * names differ from {@link Aead}'s on purpose, so the weaker property shows at every call site.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public interface DeterministicAead {

    /** Encrypts {@code plaintext} deterministically, binding {@code associatedData}. */
    byte[] encryptDeterministically(byte[] plaintext, byte[] associatedData);

    /**
     * Decrypts and verifies a ciphertext made by {@link #encryptDeterministically}.
     *
     * @throws DecryptionException with the one generic message on any failure
     */
    byte[] decryptDeterministically(byte[] ciphertext, byte[] associatedData);
}
