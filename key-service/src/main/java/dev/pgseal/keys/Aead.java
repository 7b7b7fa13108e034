package dev.pgseal.keys;

/**
 * Authenticated encryption with associated data, randomized: encrypting the same plaintext twice
 * gives different ciphertexts, so ciphertexts reveal nothing about plaintexts beyond their length.
 *
 * <p>Security contract: confidentiality and integrity of the plaintext, and integrity of the
 * associated data, under adaptive chosen-ciphertext attack (IND-CCA2 + INT-CTXT). The associated
 * data is authenticated but not encrypted and not part of the output: decryption needs the same
 * bytes again. The implementation ({@link dev.pgseal.keys.crypto.AesGcmAead}) draws a fresh 96-bit
 * random nonce per call, so one key may encrypt at most 2<sup>32</sup> messages (NIST SP 800-38D);
 * key rotation keeps a key version far below that.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public interface Aead {

    /**
     * Encrypts {@code plaintext}, binding {@code associatedData}.
     *
     * @return the ciphertext, which carries everything decryption needs except the key and the
     *     associated data (for AES-GCM: nonce, ciphertext, tag)
     */
    byte[] encrypt(byte[] plaintext, byte[] associatedData);

    /**
     * Decrypts and verifies {@code ciphertext} against {@code associatedData}.
     *
     * @throws DecryptionException with the one generic message when the ciphertext is malformed,
     *     was modified, or the key or associated data differ: the cause is never told apart
     */
    byte[] decrypt(byte[] ciphertext, byte[] associatedData);
}
