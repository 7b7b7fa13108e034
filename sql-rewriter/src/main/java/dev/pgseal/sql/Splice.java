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
     * Parameter {@code $number} compared for equality with a deterministic column ({@link ValueUse#MATCH}):
     * it stands for the array of the value's envelopes, one per live key version. The proxy renders
     * it {@code $number} (declared {@code bytea[]}) or as an {@code ARRAY[$number, $m, …]} of one
     * {@code bytea} parameter per slot, which lets PostgreSQL keep a generic plan.
     *
     * @param number the parameter's number, from 1
     */
    record Parameter(int number) implements Splice {
        public Parameter {
            if (number < 1) {
                throw new IllegalArgumentException("parameter number: " + number);
            }
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
