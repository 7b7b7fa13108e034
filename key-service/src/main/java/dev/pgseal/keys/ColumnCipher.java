package dev.pgseal.keys;

import dev.pgseal.keys.envelope.EnvelopeCipher;
import java.util.List;

/**
 * Encrypts and decrypts the values of protected columns into envelopes ({@link EnvelopeHeader}),
 * taking keys from a {@link KeyResolver}. Plaintexts are canonical encodings
 * ({@link CanonicalCodec}), so that deterministic ciphertexts match however a client formatted a
 * value. The column identity is bound into the associated data: an envelope copied into another
 * column does not decrypt.
 *
 * <p>Safe for concurrent use. Primitives are cached per key version (the cache-hit path runs no key
 * schedule); the cache follows the resolver: a version whose key material the resolver replaced or
 * destroyed is rebuilt from what the resolver returns next.
 */
public interface ColumnCipher {

    /** A cipher over {@code keys}. */
    static ColumnCipher create(KeyResolver keys) {
        return new EnvelopeCipher(keys);
    }

    /**
     * Encrypts {@code canonicalPlaintext} for {@code column} under the primary version of
     * {@code ringName}.
     *
     * @throws KeyUnavailableException when the ring has no usable primary version
     */
    byte[] encrypt(ColumnIdentity column, EncryptionMode mode, String ringName, byte[] canonicalPlaintext);

    /**
     * Decrypts an envelope read from {@code column}, whose policy key is the ring {@code ringName}.
     * The header is checked first, before any cryptography: a malformed header, an unknown format
     * version or mode, or an envelope of another key ring than the column's throws
     * {@link MalformedEnvelopeException} (a {@link DecryptionException}, naming both ring ids); a
     * key version the resolver refuses (unknown, too new, below the minimum decryption version,
     * destroyed) throws its {@link KeyUnavailableException}. Every cryptographic failure then
     * throws {@link DecryptionException} with its one generic message.
     *
     * @return the canonical plaintext
     */
    byte[] decrypt(ColumnIdentity column, String ringName, byte[] envelope);

    /**
     * The deterministic envelopes of {@code canonicalPlaintext} for {@code column} under every live
     * version of {@code ringName} ({@link KeyResolver#liveKeys}), the primary first: an equality
     * predicate on a deterministic column compares against all of them
     * ({@code col = ANY(...)}), so it matches rows not yet re-encrypted during a rotation.
     */
    List<byte[]> encryptForEachVersion(ColumnIdentity column, String ringName, byte[] canonicalPlaintext);

    /** Same as {@link EnvelopeHeader#looksLikeEnvelope(byte[])}. */
    static boolean looksLikeEnvelope(byte[] value) {
        return EnvelopeHeader.looksLikeEnvelope(value);
    }
}
