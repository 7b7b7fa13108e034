package dev.pgseal.keys.kms;

/**
 * A refused grant change: unknown ring or principal, a principal that is not of role {@code app},
 * an operation the ring's type does not offer, no grant to revoke. A user error; the message names
 * the ring and principal.
 */
public class GrantException extends RuntimeException {

    private final boolean unknownObject;

    GrantException(String message, boolean unknownObject) {
        super(message);
        this.unknownObject = unknownObject;
    }

    /** Whether the refusal is that the ring, principal or grant named does not exist (an API answers 404). */
    public boolean unknownObject() {
        return unknownObject;
    }
}
