package dev.pgseal.keys.kms;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An encryption context (AWS KMS's term; Vault's "context"): string pairs that are not secret,
 * bound to a ciphertext as associated data, and needed again, exactly, to decrypt it. Order does not
 * matter: the pairs are bound in a canonical encoding, sorted by name.
 *
 * @param entries the pairs, sorted by name (unmodifiable)
 */
public record EncryptionContext(SortedMap<String, String> entries) {

    /** At most this many pairs. */
    public static final int MAX_ENTRIES = 32;
    /** Names and values are at most this many characters. */
    public static final int MAX_TEXT = 1024;
    /** No context (an empty one is bound too: a ciphertext made with a context needs it). */
    public static final EncryptionContext EMPTY = new EncryptionContext(new TreeMap<>());

    public EncryptionContext {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("an encryption context has at most " + MAX_ENTRIES + " pairs, not "
                    + entries.size());
        }
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().length() > MAX_TEXT || e.getValue() == null
                    || e.getValue().length() > MAX_TEXT) {
                throw new IllegalArgumentException("encryption context names must have 1 to " + MAX_TEXT
                        + " characters and values 0 to " + MAX_TEXT);
            }
        }
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** A context of these pairs. */
    public static EncryptionContext of(Map<String, String> pairs) {
        return new EncryptionContext(new TreeMap<>(pairs));
    }

    /**
     * The canonical encoding that is bound: {@code u32 count}, then per pair in name order
     * {@code u32 length || UTF-8 name || u32 length || UTF-8 value} (a stored format: never change).
     */
    byte[] canonical() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(entries.size()).array());
        for (Map.Entry<String, String> e : entries.entrySet()) {
            for (String s : new String[] {e.getKey(), e.getValue()}) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
                out.writeBytes(b);
            }
        }
        return out.toByteArray();
    }
}
