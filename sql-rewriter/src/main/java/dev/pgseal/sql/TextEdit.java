package dev.pgseal.sql;

import java.util.List;

/**
 * Replaces the client's text between {@code start} (inclusive) and {@code end} (exclusive) —
 * character offsets into the statement string as the client sent it — with {@code pieces}.
 * Everything outside the edits of a plan reaches PostgreSQL byte for byte.
 *
 * @param start first character replaced
 * @param end first character kept after the replacement ({@code start == end} inserts)
 * @param pieces what goes in its place
 */
public record TextEdit(int start, int end, List<Splice> pieces) {
    public TextEdit {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
        pieces = List.copyOf(pieces);
    }
}
