package dev.pgseal.sql;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.QualifiedName;
import java.util.Objects;

/**
 * A protected column as a plan names it: its table and its policy.
 *
 * @param table the table (schema-qualified, catalog form)
 * @param column the column's policy (name, logical type, encryption, key ring, readers)
 */
public record ColumnRef(QualifiedName table, ColumnPolicy column) {
    public ColumnRef {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
    }

    /** {@code schema.table.column}, for messages. */
    public String describe() {
        return table.toSql() + "." + column.name();
    }
}
