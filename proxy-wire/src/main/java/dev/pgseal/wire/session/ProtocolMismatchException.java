package dev.pgseal.wire.session;

/**
 * PostgreSQL sent a message that no pending request expects: pgseal's view of the session is wrong,
 * so the session must end (an internal error, never guessed around).
 */
public final class ProtocolMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolMismatchException(String message) {
        super(message);
    }
}
