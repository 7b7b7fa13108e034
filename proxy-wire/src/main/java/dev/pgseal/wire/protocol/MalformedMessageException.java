package dev.pgseal.wire.protocol;

/** A message's content does not match its type (missing terminator, count past the end, …). */
public final class MalformedMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }
}
