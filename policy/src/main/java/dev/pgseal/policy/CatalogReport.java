package dev.pgseal.policy;

import dev.pgseal.policy.internal.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the live catalog of one database disagrees with a policy, and the DDL that fixes what DDL
 * can fix. Produced by {@link CatalogCheck}; the proxy refuses to serve the database unless
 * {@link #isConsistent()}.
 *
 * @param database the database that was checked ({@code current_database()})
 * @param tablesChecked how many policy tables were looked up
 * @param missingTables policy tables that do not exist as tables
 * @param missingColumns policy columns (protected or primary key) that do not exist
 * @param columnFixes protected columns that are not {@code bytea}, each with the statements to run
 *     (their envelope constraint included)
 * @param constraintFixes {@code bytea} protected columns whose {@link EnvelopeConstraint} is
 *     missing or not the one pgseal asks for, each with the statements to run
 * @param facts what the check read about the tables that exist (OIDs, column numbers, schemas by
 *     table name), for the proxy to apply the policy in this database once it is consistent
 */
public record CatalogReport(String database, int tablesChecked, List<MissingTable> missingTables,
        List<MissingColumn> missingColumns, List<ColumnFix> columnFixes, List<ConstraintFix> constraintFixes,
        CatalogFacts facts) {

    /** The {@link MissingTable#reason()} of a table that does not exist at all. */
    public static final String DOES_NOT_EXIST = "does not exist";

    /**
     * A policy table that is not a table in the database.
     *
     * @param table the table's name
     * @param reason {@link #DOES_NOT_EXIST} or what the relation is instead (e.g. "is a view, not a table")
     */
    public record MissingTable(QualifiedName table, String reason) {
    }

    /**
     * A column the policy names that the table does not have.
     *
     * @param table the table
     * @param column the column name (catalog form)
     * @param primaryKey whether the policy names it in {@code primary_key} rather than as a protected column
     */
    public record MissingColumn(QualifiedName table, String column, boolean primaryKey) {
    }

    /**
     * A protected column whose physical type is not {@code bytea}.
     *
     * @param table the table
     * @param column the column name (catalog form)
     * @param physicalType the column's current type, as {@code format_type} prints it
     * @param holdsData whether the column holds at least one non-NULL value
     * @param statements the SQL statements to run, each ending with a semicolon
     * @param note what the statements do and what is left to do, for the report
     */
    public record ColumnFix(QualifiedName table, String column, String physicalType, boolean holdsData,
            List<String> statements, String note) {

        public ColumnFix {
            statements = List.copyOf(statements);
        }
    }

    /** What is wrong with a protected column's envelope constraint. */
    public enum ConstraintProblem {
        /** No constraint of that name. */
        MISSING("does not exist"),
        /** A constraint of that name exists but is not a CHECK constraint. */
        NOT_A_CHECK("is not a CHECK constraint"),
        /** The CHECK constraint tests something other than the envelope shape. */
        DIFFERENT("checks something else"),
        /** {@code NOT VALID}: rows written before it was added were never checked. */
        NOT_VALID("is NOT VALID (existing rows were never checked)"),
        /** {@code NO INHERIT}: child tables do not get it, so plaintext could be written through them. */
        NO_INHERIT("is NO INHERIT (child tables would not get it)");

        private final String text;

        ConstraintProblem(String text) {
            this.text = text;
        }

        /** How the report says it. */
        public String text() {
            return text;
        }
    }

    /**
     * A {@code bytea} protected column whose envelope constraint is missing or wrong.
     *
     * @param table the table
     * @param column the column name (catalog form)
     * @param constraint the constraint's name ({@link EnvelopeConstraint#name(String)})
     * @param problems what is wrong, at least one
     * @param definition the existing constraint as {@code pg_get_constraintdef} prints it, if there is one
     * @param statements the SQL statements to run (drop the wrong one, add the right one; or validate)
     */
    public record ConstraintFix(QualifiedName table, String column, String constraint, List<ConstraintProblem> problems,
            Optional<String> definition, List<String> statements) {

        public ConstraintFix {
            problems = List.copyOf(problems);
            statements = List.copyOf(statements);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("a constraint fix needs a problem");
            }
        }

        /** Why the statements are needed, for the report. */
        public String note() {
            String where = table + "." + Identifiers.quote(column);
            StringBuilder note = new StringBuilder("envelope constraint ").append(Identifiers.quote(constraint))
                    .append(" on ").append(where).append(' ')
                    .append(problems.stream().map(ConstraintProblem::text).collect(Collectors.joining(", ")));
            definition.filter(d -> problems.contains(ConstraintProblem.DIFFERENT)
                    || problems.contains(ConstraintProblem.NOT_A_CHECK))
                    .ifPresent(d -> note.append(":\n  ").append(d));
            note.append("\nwithout it PostgreSQL accepts plaintext written by routes pgseal does not see;")
                    .append("\nadding or validating it fails (23514) while the column holds a value that is not a pgseal envelope");
            return note.toString();
        }
    }

    /** A report without catalog facts (for reports built by hand). */
    public CatalogReport(String database, int tablesChecked, List<MissingTable> missingTables,
            List<MissingColumn> missingColumns, List<ColumnFix> columnFixes, List<ConstraintFix> constraintFixes) {
        this(database, tablesChecked, missingTables, missingColumns, columnFixes, constraintFixes,
                CatalogFacts.none(database));
    }

    public CatalogReport {
        java.util.Objects.requireNonNull(facts, "facts");
        missingTables = List.copyOf(missingTables);
        missingColumns = List.copyOf(missingColumns);
        columnFixes = List.copyOf(columnFixes);
        constraintFixes = List.copyOf(constraintFixes);
    }

    /**
     * Whether every policy table and column exists and every protected column is {@code bytea}
     * with its envelope constraint.
     */
    public boolean isConsistent() {
        return missingTables.isEmpty() && missingColumns.isEmpty() && columnFixes.isEmpty() && constraintFixes.isEmpty();
    }

    /**
     * Whether none of the policy's tables exists in this database (not even as a view): the contract
     * serves such a database as a plain proxy.
     */
    public boolean noPolicyTableExists() {
        return missingTables.size() == tablesChecked
                && missingTables.stream().allMatch(t -> t.reason().equals(DOES_NOT_EXIST));
    }

    /** Every fix statement as one SQL script, each group preceded by its note as a comment. */
    public String ddl() {
        StringBuilder sql = new StringBuilder();
        for (ColumnFix fix : columnFixes) {
            appendFix(sql, fix.note(), fix.statements());
        }
        for (ConstraintFix fix : constraintFixes) {
            appendFix(sql, fix.note(), fix.statements());
        }
        return sql.toString();
    }

    private static void appendFix(StringBuilder sql, String note, List<String> statements) {
        for (String line : note.split("\n")) {
            sql.append("-- ").append(line).append('\n');
        }
        statements.forEach(s -> sql.append(s).append('\n'));
    }

    /** The report for people: what is missing, what must change, and the DDL to run. */
    public String text() {
        StringBuilder out = new StringBuilder();
        findings().forEach(line -> out.append(line).append('\n'));
        if (!columnFixes.isEmpty() || !constraintFixes.isEmpty()) {
            out.append("run on database ").append(Identifiers.quote(database)).append(":\n").append(ddl());
        }
        return out.toString();
    }

    /**
     * The report as a SQL script that {@code psql} can run as it is: every finding as a {@code -- }
     * comment, then {@link #ddl()}. What DDL cannot fix (a missing table or column) stays a comment.
     */
    public String script() {
        StringBuilder out = new StringBuilder();
        findings().forEach(line -> out.append("-- ").append(line).append('\n'));
        return out.append(ddl()).toString();
    }

    private List<String> findings() {
        List<String> lines = new ArrayList<>();
        String db = "database " + Identifiers.quote(database);
        if (isConsistent()) {
            lines.add(db + " matches the policy: " + tablesChecked + " table" + (tablesChecked == 1 ? "" : "s")
                    + " checked, every protected column is bytea with its envelope constraint");
            return lines;
        }
        lines.add(db + " and the policy disagree:");
        for (MissingTable t : missingTables) {
            lines.add("  table " + t.table() + ' ' + t.reason());
        }
        for (MissingColumn c : missingColumns) {
            lines.add("  column " + c.table() + '.' + Identifiers.quote(c.column())
                    + (c.primaryKey() ? " (primary_key)" : "") + " does not exist");
        }
        for (ColumnFix f : columnFixes) {
            lines.add("  column " + f.table() + '.' + Identifiers.quote(f.column()) + " is " + f.physicalType()
                    + ", must be bytea" + (f.holdsData() ? " (it holds data)" : " (it holds no data)"));
        }
        for (ConstraintFix f : constraintFixes) {
            lines.add("  column " + f.table() + '.' + Identifiers.quote(f.column()) + ": envelope constraint "
                    + Identifiers.quote(f.constraint()) + ' '
                    + f.problems().stream().map(ConstraintProblem::text).collect(Collectors.joining(", ")));
        }
        return lines;
    }
}
