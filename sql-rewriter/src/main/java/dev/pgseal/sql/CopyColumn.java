package dev.pgseal.sql;

import java.util.Objects;
import java.util.Optional;

/**
 * One column of a {@code COPY} stream, in stream order.
 *
 * @param name the column's name (catalog form)
 * @param target the protected column it is, if it is one
 */
public record CopyColumn(String name, Optional<ColumnRef> target) {
    public CopyColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
    }
}
