package dev.pgseal.policy;

import dev.pgseal.policy.internal.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a policy with the live catalog ({@code pg_catalog}) of the database it protects: every
 * policy table must be a table, every named column must exist, and every protected column must be
 * {@code bytea} (or a domain over it). The {@code pgseal policy ddl} command and the proxy's start
 * both use it.
 *
 * <p>For a protected column of another type, the fix depends on its contents, and never converts
 * plaintext into the {@code bytea} column (that would leave plaintext where ciphertext is expected,
 * and pgseal would fail to decrypt it):
 * <ul>
 *   <li>no non-NULL value (for example an empty table): {@code ALTER TABLE t ALTER COLUMN c TYPE
 *       bytea USING NULL::bytea;} (dropping the default first if there is one), which loses nothing;</li>
 *   <li>values present: the plaintext is moved aside ({@code RENAME COLUMN c TO c_plaintext}) and an
 *       empty {@code bytea} column {@code c} is added; the values must then be written into {@code c}
 *       through pgseal (which encrypts them) before the plaintext column is dropped. Constraints,
 *       indexes and NOT NULL stay on the plaintext column and must be recreated on the new one.</li>
 * </ul>
 */
public final class CatalogCheck {

    private static final String RELATION = """
            select c.oid, c.relkind from pg_catalog.pg_class c
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ?""";

    private static final String COLUMNS = """
            select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
                   coalesce(nullif(t.typbasetype, 0), t.oid) = 'pg_catalog.bytea'::pg_catalog.regtype,
                   a.atthasdef
            from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
            where a.attrelid = ? and a.attnum > 0 and not a.attisdropped""";

    private CatalogCheck() {
    }

    private record PhysicalColumn(String type, boolean bytea, boolean hasDefault) {
    }

    /**
     * Checks {@code policy} against the database {@code connection} is connected to. Reads the
     * catalog and, for each protected column that is not {@code bytea}, whether it holds a non-NULL
     * value (one indexed or sequential probe that stops at the first such row). Changes nothing.
     *
     * @throws SQLException when the catalog cannot be read (an internal or connection error)
     */
    public static CatalogReport check(Connection connection, Policy policy) throws SQLException {
        List<CatalogReport.MissingTable> missingTables = new ArrayList<>();
        List<CatalogReport.MissingColumn> missingColumns = new ArrayList<>();
        List<CatalogReport.ColumnFix> fixes = new ArrayList<>();
        for (TablePolicy table : policy.tables()) {
            QualifiedName name = table.name();
            long oid;
            try (PreparedStatement ps = connection.prepareStatement(RELATION)) {
                ps.setString(1, name.schema());
                ps.setString(2, name.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        missingTables.add(new CatalogReport.MissingTable(name, "does not exist"));
                        continue;
                    }
                    oid = rs.getLong(1);
                    String kind = rs.getString(2);
                    if (!kind.equals("r") && !kind.equals("p")) {
                        missingTables.add(new CatalogReport.MissingTable(name, "is " + describeKind(kind) + ", not a table"));
                        continue;
                    }
                }
            }
            Map<String, PhysicalColumn> physical = new LinkedHashMap<>();
            try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
                ps.setLong(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        physical.put(rs.getString(1), new PhysicalColumn(rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)));
                    }
                }
            }
            for (String pk : table.primaryKey()) {
                if (!physical.containsKey(pk)) {
                    missingColumns.add(new CatalogReport.MissingColumn(name, pk, true));
                }
            }
            for (ColumnPolicy column : table.columns()) {
                PhysicalColumn p = physical.get(column.name());
                if (p == null) {
                    missingColumns.add(new CatalogReport.MissingColumn(name, column.name(), false));
                } else if (!p.bytea()) {
                    boolean holdsData = holdsData(connection, name, column.name());
                    fixes.add(fix(name, column.name(), p, holdsData, physical.keySet()));
                }
            }
        }
        return new CatalogReport(policy.tables().size(), missingTables, missingColumns, fixes);
    }

    private static boolean holdsData(Connection connection, QualifiedName table, String column) throws SQLException {
        String sql = "select exists (select 1 from " + table.toSql() + " where " + Identifiers.quote(column)
                + " is not null)";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static CatalogReport.ColumnFix fix(QualifiedName table, String column, PhysicalColumn p, boolean holdsData,
            java.util.Set<String> existing) {
        String t = table.toSql();
        String c = Identifiers.quote(column);
        String where = table + "." + c;
        if (!holdsData) {
            String statement = "ALTER TABLE " + t + (p.hasDefault() ? " ALTER COLUMN " + c + " DROP DEFAULT," : "")
                    + " ALTER COLUMN " + c + " TYPE bytea USING NULL::bytea;";
            return new CatalogReport.ColumnFix(table, column, p.type(), false, List.of(statement),
                    where + " is " + p.type() + " and holds no value: changing its type loses nothing"
                            + (p.hasDefault() ? "\n(its default is dropped: a plaintext default cannot be ciphertext)" : ""));
        }
        String aside = asideName(column, "");
        for (int i = 2; existing.contains(aside); i++) {
            aside = asideName(column, Integer.toString(i));
        }
        String asideSql = Identifiers.quote(aside);
        List<String> statements = List.of(
                "ALTER TABLE " + t + " RENAME COLUMN " + c + " TO " + asideSql + ";",
                "ALTER TABLE " + t + " ADD COLUMN " + c + " bytea;");
        String note = where + " is " + p.type() + " and holds data. Converting it in place would keep plaintext\n"
                + "where pgseal expects ciphertext, so the plaintext is moved aside and an empty bytea column added.\n"
                + "Then write every value into " + c + " THROUGH pgseal (which encrypts it), for example by reading\n"
                + asideSql + " and its primary key directly and running UPDATE ... SET " + c + " = $1 via the proxy;\n"
                + "recreate constraints and indexes on " + c + ", and finally: ALTER TABLE " + t + " DROP COLUMN "
                + asideSql + ";";
        return new CatalogReport.ColumnFix(table, column, p.type(), true, statements, note);
    }

    /** {@code column_plaintext} (plus a number), shortened so it stays within 63 bytes. */
    private static String asideName(String column, String number) {
        String suffix = "_plaintext" + number;
        String prefix = column;
        while (prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + suffix.length() > Identifiers.MAX_BYTES) {
            prefix = prefix.substring(0, prefix.offsetByCodePoints(prefix.length(), -1));
        }
        return prefix + suffix;
    }

    private static String describeKind(String relkind) {
        return switch (relkind) {
            case "v" -> "a view";
            case "m" -> "a materialized view";
            case "f" -> "a foreign table";
            case "S" -> "a sequence";
            case "i", "I" -> "an index";
            case "c" -> "a composite type";
            default -> "a relation of kind '" + relkind + "'";
        };
    }
}
