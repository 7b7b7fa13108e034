package dev.pgseal.wire.app;

/** pgseal cannot start; the message says why in one sentence a user can act on. */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
