package dev.pgseal.keys;

import java.util.Objects;

/**
 * One unwrapped data-key version, as the envelope needs it.
 *
 * @param ringId the key ring's numeric id (stored in the envelope header)
 * @param version the key version within the ring
 * @param material the 32-byte AES key
 */
public record DataKey(int ringId, int version, SecretBytes material) {
    public DataKey {
        Objects.requireNonNull(material, "material");
        if (ringId <= 0 || version <= 0) {
            throw new IllegalArgumentException("ring id and version must be positive");
        }
    }
}
