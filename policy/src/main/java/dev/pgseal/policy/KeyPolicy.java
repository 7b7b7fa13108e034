package dev.pgseal.policy;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A named key ring that columns encrypt under. The ring's versions live in the key service; the
 * policy only sets how it is rotated and which versions may still decrypt.
 *
 * @param name the key ring's name, as columns refer to it
 * @param rotation the automatic rotation period; empty for manual rotation only
 * @param minDecryptionVersion the oldest key version still allowed to decrypt (at least 1); empty
 *     for no limit
 */
public record KeyPolicy(String name, Optional<Duration> rotation, OptionalInt minDecryptionVersion) {

    public KeyPolicy {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a key needs a name");
        }
        if (rotation == null || minDecryptionVersion == null) {
            throw new IllegalArgumentException("rotation and minDecryptionVersion must not be null (use empty)");
        }
        if (rotation.isPresent() && (rotation.get().isNegative() || rotation.get().isZero())) {
            throw new IllegalArgumentException("rotation must be positive");
        }
        if (minDecryptionVersion.isPresent() && minDecryptionVersion.getAsInt() < 1) {
            throw new IllegalArgumentException("min_decryption_version must be at least 1");
        }
    }

    /** A key with manual rotation and no decryption limit. */
    public static KeyPolicy manual(String name) {
        return new KeyPolicy(name, Optional.empty(), OptionalInt.empty());
    }
}
