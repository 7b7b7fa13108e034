package dev.pgseal.wire.protocol;

import java.util.Objects;

/**
 * Emitted by a {@link FrameDecoder}, instead of a message, when holding the partial message it is
 * reading would exceed the shared {@link BufferBudget}. The decoder discards all further input; the
 * session answers with SQLSTATE 53200 (out_of_memory) and closes.
 *
 * @param message what happened, for the peer and the log
 */
public record BufferLimitExceeded(String message) {
    public BufferLimitExceeded {
        Objects.requireNonNull(message);
    }
}
