package dev.pgseal.policy;

import java.util.List;
import java.util.Optional;

/**
 * The protected columns of one table.
 *
 * @param name the table's name as in the catalog
 * @param primaryKey the primary key's column names (catalog form), in order; empty when the policy
 *     names none (background re-encryption then cannot page through the table)
 * @param columns the protected columns, in policy order
 */
public record TablePolicy(QualifiedName name, List<String> primaryKey, List<ColumnPolicy> columns) {

    public TablePolicy {
        if (name == null) {
            throw new IllegalArgumentException("a table needs a name");
        }
        primaryKey = List.copyOf(primaryKey);
        columns = List.copyOf(columns);
    }

    /** The protected column named {@code column} exactly as in the catalog (case-sensitive). */
    public Optional<ColumnPolicy> column(String column) {
        for (ColumnPolicy c : columns) {
            if (c.name().equals(column)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code column} is protected. */
    public boolean protects(String column) {
        return column(column).isPresent();
    }
}
