package dev.pgseal.sql;

import java.util.Objects;

/**
 * A {@code $n} parameter whose value the proxy encrypts before PostgreSQL sees it. The rewritten
 * Parse declares it {@code bytea} ({@link ValueUse#STORE}) or {@code bytea[]} ({@link ValueUse#MATCH});
 * ParameterDescription shows the client the column's logical type instead; the Bind value, in text
 * or binary format, is converted to the logical type, encoded canonically and encrypted.
 *
 * @param number the parameter's number n (1-based, as in {@code $n})
 * @param target the protected column the value is stored in or compared with
 * @param use how the value is used
 */
public record ParameterPlan(int number, ColumnRef target, ValueUse use) {
    public ParameterPlan {
        if (number < 1) {
            throw new IllegalArgumentException("parameter numbers start at 1: " + number);
        }
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(use, "use");
    }
}
