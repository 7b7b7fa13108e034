package dev.pgseal.sql;

import java.util.Objects;
import java.util.Optional;

/** One piece of the text a {@link TextEdit} puts in place of the client's text. */
public sealed interface Splice {

    /**
     * SQL text to insert as it is.
     *
     * @param sql the text
     */
    record Text(String sql) implements Splice {
        public Text {
            Objects.requireNonNull(sql, "sql");
        }
    }

    /**
     * The encrypted form of a literal the client wrote for a protected column. The proxy renders
     * {@link ValueUse#STORE} as {@code '\x…'::bytea} (or {@code NULL::bytea}) and
     * {@link ValueUse#MATCH} as {@code ARRAY['\x…'::bytea, …]} with one envelope per live key version.
     *
     * @param target the protected column
     * @param use how the value is used
     * @param value the literal's value as text (escapes and continuation resolved), or empty for NULL
     */
    record Encrypted(ColumnRef target, ValueUse use, Optional<String> value) implements Splice {
        public Encrypted {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(use, "use");
            Objects.requireNonNull(value, "value");
        }
    }
}
