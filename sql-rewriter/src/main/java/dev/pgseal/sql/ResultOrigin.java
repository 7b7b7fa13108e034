package dev.pgseal.sql;

import java.util.Objects;

/**
 * A result column that holds a protected column's envelopes although PostgreSQL's RowDescription
 * will not name its origin (a branch of {@code UNION ALL}, for example). Columns that PostgreSQL
 * describes with their table and column number need no entry: the proxy finds those itself.
 *
 * @param statement which statement of the query string (0-based; always 0 for a Parse)
 * @param column the result column's position (0-based)
 * @param target the protected column whose envelopes it carries
 */
public record ResultOrigin(int statement, int column, ColumnRef target) {
    public ResultOrigin {
        if (statement < 0 || column < 0) {
            throw new IllegalArgumentException("negative position");
        }
        Objects.requireNonNull(target, "target");
    }
}
