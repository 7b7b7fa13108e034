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
import java.util.Optional;
import java.util.Set;

/**
 * Compares a policy with the live catalog ({@code pg_catalog}) of one database it covers: every
 * policy table must be a table, every named column must exist, and every protected column must be
 * {@code bytea} (or a domain over it) and carry its {@link EnvelopeConstraint} (present by name, a
 * CHECK, validated, inheritable, checking exactly the envelope shape). The {@code pgseal policy ddl}
 * command and the proxy (once per covered database) both use it. It is a pure function of the
 * connection's database and the policy: catalog facts belong to one database, so call it for each.
 *
 * <p>For a protected column of another type, the fix depends on its contents, and never converts
 * plaintext into the {@code bytea} column (that would leave plaintext where ciphertext is expected,
 * and pgseal would fail to decrypt it):
 * <ul>
 *   <li>no non-NULL value (for example an empty table): {@code ALTER TABLE t ALTER COLUMN c TYPE
 *       bytea USING NULL::bytea;} (dropping the default first if there is one), which loses nothing,
 *       then the envelope constraint;</li>
 *   <li>values present: the plaintext is moved aside ({@code RENAME COLUMN c TO c_plaintext}) and an
 *       empty {@code bytea} column {@code c} is added with its envelope constraint; the values must then be written into {@code c}
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
                   a.atthasdef, a.attnum
            from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
            where a.attrelid = ? and a.attnum > 0 and not a.attisdropped
            order by a.attnum""";

    // Relations a FROM clause can name (not indexes, composite types or TOAST tables).
    private static final String SCHEMAS_HOLDING = """
            select c.relname, n.nspname from pg_catalog.pg_class c
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where c.relname = any (?) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')""";

    private static final String CONSTRAINTS = """
            select conname, contype, convalidated, connoinherit, pg_catalog.pg_get_constraintdef(oid)
            from pg_catalog.pg_constraint where conrelid = ?""";

    private CatalogCheck() {
    }

    private record PhysicalColumn(String type, boolean bytea, boolean hasDefault, int attnum) {
    }

    private record Constraint(String name, boolean check, boolean validated, boolean noInherit, String definition) {
    }

    /**
     * Checks {@code policy} against the database {@code connection} is connected to. Reads the
     * catalog and, for each protected column that is not {@code bytea}, whether it holds a non-NULL
     * value (one indexed or sequential probe that stops at the first such row), and for each
     * {@code bytea} protected column its envelope constraint. Changes nothing. The report carries
     * the {@link CatalogFacts} read on the way (OIDs, column numbers, schemas by table name).
     *
     * @throws SQLException when the catalog cannot be read (an internal or connection error)
     */
    public static CatalogReport check(Connection connection, Policy policy) throws SQLException {
        List<CatalogReport.MissingTable> missingTables = new ArrayList<>();
        List<CatalogReport.MissingColumn> missingColumns = new ArrayList<>();
        List<CatalogReport.ColumnFix> fixes = new ArrayList<>();
        List<CatalogReport.ConstraintFix> constraintFixes = new ArrayList<>();
        List<CatalogFacts.TableFacts> tableFacts = new ArrayList<>();
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
                        physical.put(rs.getString(1), new PhysicalColumn(rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                                rs.getInt(5)));
                    }
                }
            }
            Map<Integer, ColumnPolicy> protectedByAttnum = new LinkedHashMap<>();
            for (ColumnPolicy column : table.columns()) {
                PhysicalColumn p = physical.get(column.name());
                if (p != null) {
                    protectedByAttnum.put(p.attnum(), column);
                }
            }
            tableFacts.add(new CatalogFacts.TableFacts(name, oid, List.copyOf(physical.keySet()), protectedByAttnum));
            Map<String, Constraint> constraints = constraints(connection, oid);
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
                    Constraint existing = constraints.get(EnvelopeConstraint.name(column.name()));
                    fixes.add(fix(name, column, p, holdsData, physical.keySet(), existing != null));
                } else {
                    constraintFix(name, column, constraints.get(EnvelopeConstraint.name(column.name())))
                            .ifPresent(constraintFixes::add);
                }
            }
        }
        String database = currentDatabase(connection);
        CatalogFacts facts = new CatalogFacts(database, tableFacts, schemasHolding(connection, policy));
        return new CatalogReport(database, policy.tables().size(), missingTables, missingColumns,
                fixes, constraintFixes, facts);
    }

    /** For each protected table's name, the schemas that hold a relation of that name. */
    private static Map<String, Set<String>> schemasHolding(Connection connection, Policy policy) throws SQLException {
        Map<String, Set<String>> schemas = new LinkedHashMap<>();
        for (QualifiedName name : policy.tableNames()) {
            schemas.put(name.name(), new java.util.TreeSet<>());
        }
        if (schemas.isEmpty()) {
            return schemas;
        }
        try (PreparedStatement ps = connection.prepareStatement(SCHEMAS_HOLDING)) {
            ps.setArray(1, connection.createArrayOf("text", schemas.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.get(rs.getString(1)).add(rs.getString(2));
                }
            }
        }
        return schemas;
    }

    private static String currentDatabase(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("select pg_catalog.current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Map<String, Constraint> constraints(Connection connection, long relation) throws SQLException {
        Map<String, Constraint> byName = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(CONSTRAINTS)) {
            ps.setLong(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byName.put(rs.getString(1), new Constraint(rs.getString(1), "c".equals(rs.getString(2)),
                            rs.getBoolean(3), rs.getBoolean(4), rs.getString(5)));
                }
            }
        }
        return byName;
    }

    /** What is wrong with a bytea column's envelope constraint, and the statements that put it right. */
    private static Optional<CatalogReport.ConstraintFix> constraintFix(QualifiedName table, ColumnPolicy column,
            Constraint existing) {
        String name = EnvelopeConstraint.name(column.name());
        String add = EnvelopeConstraint.addStatement(table, column);
        if (existing == null) {
            return Optional.of(new CatalogReport.ConstraintFix(table, column.name(), name,
                    List.of(CatalogReport.ConstraintProblem.MISSING), Optional.empty(), List.of(add)));
        }
        List<CatalogReport.ConstraintProblem> problems = new ArrayList<>();
        if (!existing.check()) {
            problems.add(CatalogReport.ConstraintProblem.NOT_A_CHECK);
        } else if (!EnvelopeConstraint.matches(existing.definition(), column.name(), column.encryption())) {
            problems.add(CatalogReport.ConstraintProblem.DIFFERENT);
        }
        if (existing.check() && !existing.validated()) {
            problems.add(CatalogReport.ConstraintProblem.NOT_VALID);
        }
        if (existing.check() && existing.noInherit()) {
            problems.add(CatalogReport.ConstraintProblem.NO_INHERIT);
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        List<String> statements = problems.equals(List.of(CatalogReport.ConstraintProblem.NOT_VALID))
                // the right expression, just never checked against old rows: validating keeps it
                // and takes a lighter lock than adding it again
                ? List.of(EnvelopeConstraint.validateStatement(table, name))
                : List.of(EnvelopeConstraint.dropStatement(table, name), add);
        return Optional.of(new CatalogReport.ConstraintFix(table, column.name(), name, problems,
                Optional.of(existing.definition()), statements));
    }

    private static boolean holdsData(Connection connection, QualifiedName table, String column) throws SQLException {
        String sql = "select exists (select 1 from " + table.toSql() + " where " + Identifiers.quote(column)
                + " is not null)";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static CatalogReport.ColumnFix fix(QualifiedName table, ColumnPolicy policyColumn, PhysicalColumn p,
            boolean holdsData, Set<String> existing, boolean constraintNameTaken) {
        String column = policyColumn.name();
        String t = table.toSql();
        String c = Identifiers.quote(column);
        String where = table + "." + c;
        List<String> statements = new ArrayList<>();
        if (constraintNameTaken) {
            // whatever holds the name on a non-bytea column cannot be the envelope check
            statements.add(EnvelopeConstraint.dropStatement(table, EnvelopeConstraint.name(column)));
        }
        if (!holdsData) {
            statements.add("ALTER TABLE " + t + (p.hasDefault() ? " ALTER COLUMN " + c + " DROP DEFAULT," : "")
                    + " ALTER COLUMN " + c + " TYPE bytea USING NULL::bytea;");
            statements.add(EnvelopeConstraint.addStatement(table, policyColumn));
            return new CatalogReport.ColumnFix(table, column, p.type(), false, statements,
                    where + " is " + p.type() + " and holds no value: changing its type loses nothing,\n"
                            + "then its envelope constraint makes PostgreSQL refuse any value that is not a pgseal envelope"
                            + (p.hasDefault() ? "\n(its default is dropped: a plaintext default cannot be ciphertext)" : ""));
        }
        String aside = asideName(column, "");
        for (int i = 2; existing.contains(aside); i++) {
            aside = asideName(column, Integer.toString(i));
        }
        String asideSql = Identifiers.quote(aside);
        statements.add("ALTER TABLE " + t + " RENAME COLUMN " + c + " TO " + asideSql + ";");
        statements.add("ALTER TABLE " + t + " ADD COLUMN " + c + " bytea;");
        statements.add(EnvelopeConstraint.addStatement(table, policyColumn));
        String note = where + " is " + p.type() + " and holds data. Converting it in place would keep plaintext\n"
                + "where pgseal expects ciphertext, so the plaintext is moved aside and an empty bytea column added\n"
                + "with its envelope constraint (PostgreSQL then refuses any value that is not a pgseal envelope).\n"
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
