package dev.pgseal.policy;

import dev.pgseal.policy.internal.Identifiers;
import java.util.List;

/**
 * Where the live catalog disagrees with a policy, and the DDL that fixes what DDL can fix. Produced
 * by {@link CatalogCheck}; the proxy refuses to start unless {@link #isConsistent()}.
 *
 * @param tablesChecked how many policy tables were looked up
 * @param missingTables policy tables that do not exist as tables
 * @param missingColumns policy columns (protected or primary key) that do not exist
 * @param columnFixes protected columns that are not {@code bytea}, each with the statements to run
 */
public record CatalogReport(int tablesChecked, List<MissingTable> missingTables, List<MissingColumn> missingColumns,
        List<ColumnFix> columnFixes) {

    /**
     * A policy table that is not a table in the database.
     *
     * @param table the table's name
     * @param reason "does not exist" or what the relation is instead (e.g. "is a view")
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

    public CatalogReport {
        missingTables = List.copyOf(missingTables);
        missingColumns = List.copyOf(missingColumns);
        columnFixes = List.copyOf(columnFixes);
    }

    /** Whether every policy table and column exists and every protected column is {@code bytea}. */
    public boolean isConsistent() {
        return missingTables.isEmpty() && missingColumns.isEmpty() && columnFixes.isEmpty();
    }

    /** Every fix statement as one SQL script, each preceded by its note as a comment. */
    public String ddl() {
        StringBuilder sql = new StringBuilder();
        for (ColumnFix fix : columnFixes) {
            for (String line : fix.note().split("\n")) {
                sql.append("-- ").append(line).append('\n');
            }
            fix.statements().forEach(s -> sql.append(s).append('\n'));
        }
        return sql.toString();
    }

    /** The report for people: what is missing, what must change, and the DDL to run. */
    public String text() {
        if (isConsistent()) {
            return "catalog matches the policy: " + tablesChecked + " table" + (tablesChecked == 1 ? "" : "s")
                    + " checked, every protected column is bytea\n";
        }
        StringBuilder out = new StringBuilder("catalog and policy disagree:\n");
        for (MissingTable t : missingTables) {
            out.append("  table ").append(t.table()).append(' ').append(t.reason()).append('\n');
        }
        for (MissingColumn c : missingColumns) {
            out.append("  column ").append(c.table()).append('.').append(Identifiers.quote(c.column()))
                    .append(c.primaryKey() ? " (primary_key)" : "").append(" does not exist\n");
        }
        for (ColumnFix f : columnFixes) {
            out.append("  column ").append(f.table()).append('.').append(Identifiers.quote(f.column()))
                    .append(" is ").append(f.physicalType()).append(", must be bytea")
                    .append(f.holdsData() ? " (it holds data)" : " (it holds no data)").append('\n');
        }
        if (!columnFixes.isEmpty()) {
            out.append("run on the upstream database:\n").append(ddl());
        }
        return out.toString();
    }
}
