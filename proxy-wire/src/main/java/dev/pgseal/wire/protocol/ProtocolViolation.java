package dev.pgseal.wire.protocol;

import java.util.Objects;

/**
 * Emitted by a decoder, instead of a message, when the peer broke the protocol (bad length, unknown
 * code, truncated content). The decoder discards all further input after emitting it; the session
 * answers with an ErrorResponse (SQLSTATE 08P01) and closes the connection.
 *
 * @param message what was wrong, for the peer and the log; never contains message content
 */
public record ProtocolViolation(String message) {
    public ProtocolViolation {
        Objects.requireNonNull(message);
    }
}
