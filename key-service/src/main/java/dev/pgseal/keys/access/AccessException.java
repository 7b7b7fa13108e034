package dev.pgseal.keys.access;

/**
 * A refused token or principal operation: unknown token, already revoked, a principal that exists
 * with another role, an invalid name. A user error; the message names the object.
 */
public class AccessException extends RuntimeException {

    private final boolean unknownObject;

    public AccessException(String message) {
        this(message, false);
    }

    private AccessException(String message, boolean unknownObject) {
        super(message);
        this.unknownObject = unknownObject;
    }

    /** The object named does not exist (an API answers 404 rather than 409). */
    static AccessException unknown(String message) {
        return new AccessException(message, true);
    }

    /** Whether the refusal is that the object named does not exist. */
    public boolean unknownObject() {
        return unknownObject;
    }
}
