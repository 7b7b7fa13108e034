package dev.pgseal.keys;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key encrypted under a master key: the master key's label and the wrapped bytes
 * ({@code format byte || 12-byte IV || AES-GCM ciphertext and tag}). Not secret by itself, but it
 * never prints its bytes either.
 *
 * @param masterKeyLabel the label of the master key that wrapped it
 * @param bytes the wrapped bytes (not copied: treat as read-only)
 */
public record WrappedKey(String masterKeyLabel, byte[] bytes) {
    public WrappedKey {
        Objects.requireNonNull(masterKeyLabel, "masterKeyLabel");
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey w && masterKeyLabel.equals(w.masterKeyLabel) && Arrays.equals(bytes, w.bytes);
    }

    @Override
    public int hashCode() {
        return masterKeyLabel.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "WrappedKey[" + masterKeyLabel + ", " + bytes.length + " bytes]";
    }
}
