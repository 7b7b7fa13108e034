package dev.pgseal.keys;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Key material held in memory. It never prints, compares in constant time, and is erased by
 * {@link #destroy()} (called on cache eviction). The only way to the bytes is
 * {@link #reveal(SecretAccess)}, so every place where key bytes leave this type carries a
 * {@link SecretAccess} argument that a review can search for.
 */
public final class SecretBytes implements AutoCloseable {

    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Takes a copy of {@code material}; the caller should erase its own array afterwards. */
    public static SecretBytes copyOf(byte[] material, SecretAccess access) {
        Objects.requireNonNull(access, "access");
        return new SecretBytes(material.clone());
    }

    /** Fresh random key material of {@code length} bytes. */
    public static SecretBytes random(int length, SecureRandom random) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return new SecretBytes(b);
    }

    /** The number of bytes. */
    public int length() {
        return bytes.length;
    }

    /**
     * The key bytes themselves (not a copy: callers must neither modify nor keep them).
     *
     * @throws IllegalStateException once destroyed
     */
    public byte[] reveal(SecretAccess access) {
        Objects.requireNonNull(access, "access");
        if (destroyed) {
            throw new IllegalStateException("key material was destroyed");
        }
        return bytes;
    }

    /** Constant-time comparison of the material. */
    public boolean equalsSecret(SecretBytes other) {
        return other != null && MessageDigest.isEqual(bytes, other.bytes);
    }

    /** Overwrites the material with zeros; later {@link #reveal} calls fail. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    /** Whether {@link #destroy()} was called. */
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "SecretBytes[" + bytes.length + " bytes, redacted]";
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
