package dev.pgseal.sql;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What pgseal does with one SQL string (a Query, which may hold several statements, or a Parse):
 * pass it on untouched, refuse it, or rewrite it. Plans are pure data, computed from the text, the
 * policy and the catalog of the session's database without crypto or I/O, and cached by text.
 */
public sealed interface StatementPlan {

    /** The text touches no protected column: it goes to PostgreSQL untouched. */
    record PassThrough() implements StatementPlan {
    }

    /**
     * The statement uses a protected column in a way pgseal cannot handle safely, or cannot be read.
     *
     * @param sqlState the SQLSTATE (usually {@code 0A000})
     * @param message a message naming table, column and construct; ASCII only, never a value
     */
    record Refused(String sqlState, String message) implements StatementPlan {
        public Refused {
            Objects.requireNonNull(sqlState, "sqlState");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The statement is rewritten: the text with {@code edits} applied goes to PostgreSQL, with the
     * parameters of {@code parameters} encrypted; results are decrypted by origin (RowDescription)
     * and by {@code results}.
     *
     * @param edits text edits, sorted by position and not overlapping
     * @param parameters the parameters to encrypt, by number
     * @param results result columns with no origin in RowDescription that carry envelopes
     * @param rings the key rings the statement uses (to have their keys ready before it runs)
     */
    record Rewrite(List<TextEdit> edits, List<ParameterPlan> parameters, List<ResultOrigin> results,
            Set<String> rings) implements StatementPlan {
        public Rewrite {
            edits = List.copyOf(edits);
            parameters = List.copyOf(parameters);
            results = List.copyOf(results);
            rings = Set.copyOf(rings);
            for (int i = 1; i < edits.size(); i++) {
                if (edits.get(i).start() < edits.get(i - 1).end()) {
                    throw new IllegalArgumentException("edits overlap or are out of order: " + edits);
                }
            }
        }
    }
}
