package dev.pgseal.keys;

/**
 * A key operation was refused because it would break the key lifecycle: an illegal state
 * transition, an invariant of the ring, an unknown ring or version, a waiting period out of range.
 * A user error: the message names the ring and version and says what is allowed.
 */
public class KeyLifecycleException extends RuntimeException {
    public KeyLifecycleException(String message) {
        super(message);
    }
}
