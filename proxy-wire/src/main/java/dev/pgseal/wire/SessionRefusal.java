package dev.pgseal.wire;

import java.util.Objects;

/**
 * Why pgseal will not serve a session or a statement: a SQLSTATE and a message for the client. The
 * message names the object concerned and never quotes a value.
 *
 * @param sqlState the five-character SQLSTATE
 * @param message the message for the client
 */
public record SessionRefusal(String sqlState, String message) {
    public SessionRefusal {
        Objects.requireNonNull(sqlState, "sqlState");
        Objects.requireNonNull(message, "message");
        if (sqlState.length() != 5) {
            throw new IllegalArgumentException("SQLSTATE must have 5 characters: " + sqlState);
        }
    }
}
