package dev.pgseal.sql;

import dev.pgseal.policy.QualifiedName;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What pgseal does with one SQL string (a Query, which may hold several statements, or a Parse):
 * pass it on untouched, refuse it, rewrite it, or let the proxy transform the rows of a {@code COPY}.
 * Plans are pure data, computed from the text, the policy and the catalog of the session's database
 * without crypto or I/O, and cached by text.
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
     * @param reads the protected columns the planner saw in the statement's result (select list,
     *     {@code *}, {@code RETURNING}), so access can be refused before it runs; rows are still
     *     checked by origin, which also catches what the planner could not see
     * @param highestParameter the highest {@code $n} in the statement text (0 for none): parameters
     *     the proxy adds are numbered after it
     */
    record Rewrite(List<TextEdit> edits, List<ParameterPlan> parameters, List<ResultOrigin> results,
            Set<String> rings, Set<ColumnRef> reads, int highestParameter) implements StatementPlan {
        public Rewrite {
            edits = List.copyOf(edits);
            parameters = List.copyOf(parameters);
            results = List.copyOf(results);
            rings = Set.copyOf(rings);
            reads = Set.copyOf(reads);
            for (int i = 1; i < edits.size(); i++) {
                if (edits.get(i).start() < edits.get(i - 1).end()) {
                    throw new IllegalArgumentException("edits overlap or are out of order: " + edits);
                }
            }
        }

        /** A rewrite with no result columns known before it runs, whose parameters are those of the plan. */
        public Rewrite(List<TextEdit> edits, List<ParameterPlan> parameters, List<ResultOrigin> results,
                Set<String> rings) {
            this(edits, parameters, results, rings, Set.of(),
                    parameters.stream().mapToInt(ParameterPlan::number).max().orElse(0));
        }
    }

    /**
     * A {@code COPY table [(columns)] FROM STDIN | TO STDOUT} in text or CSV format that moves values
     * of protected columns: the statement goes to PostgreSQL untouched, and the proxy encrypts the
     * protected fields of the client's rows (FROM) or decrypts those of PostgreSQL's rows (TO). It is
     * the only statement of its query string.
     *
     * @param table the table
     * @param direction which way the rows go
     * @param columns the stream's columns in order (the column list, or every column of the table)
     * @param format how rows are written
     * @param rings the key rings of the protected columns among {@code columns}
     */
    record Copy(QualifiedName table, Direction direction, List<CopyColumn> columns, CopyFormat format,
            Set<String> rings) implements StatementPlan {

        /** Which way rows go. */
        public enum Direction {
            /** {@code COPY … FROM STDIN}: the client sends rows. */
            FROM_CLIENT,
            /** {@code COPY … TO STDOUT}: PostgreSQL sends rows. */
            TO_CLIENT
        }

        public Copy {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(direction, "direction");
            columns = List.copyOf(columns);
            Objects.requireNonNull(format, "format");
            rings = Set.copyOf(rings);
        }
    }
}
