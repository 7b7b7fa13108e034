package dev.pgseal.policy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the proxy needs to know about one database's catalog to apply a policy there, read by
 * {@link CatalogCheck} in the same pass as its consistency check: each policy table's OID, its
 * column names in column-number order, which column numbers are protected, and for each protected
 * table's name the schemas that hold a relation of that name (to resolve unqualified names). The
 * OIDs of the logical types are PostgreSQL's fixed built-ins ({@link LogicalType.Kind#typeOid()}).
 *
 * <p>A snapshot: DDL run after the check is not seen until the next check (a policy reload, or a
 * restart). Immutable and thread-safe; {@link #protectedColumn(int, int)} is a hash lookup, cheap
 * enough for every RowDescription.
 */
public final class CatalogFacts {

    /**
     * One policy table as the catalog has it.
     *
     * @param name the table's name
     * @param oid its {@code pg_class} OID, as RowDescription reports it
     * @param columns its column names in {@code attnum} order, dropped columns left out
     * @param protectedColumns the protected columns by {@code attnum}
     */
    public record TableFacts(QualifiedName name, long oid, List<String> columns,
            Map<Integer, ColumnPolicy> protectedColumns) {
        public TableFacts {
            Objects.requireNonNull(name, "name");
            columns = List.copyOf(columns);
            protectedColumns = Map.copyOf(protectedColumns);
        }
    }

    /**
     * A protected column found by its origin.
     *
     * @param table the table's name
     * @param column the column's policy
     */
    public record ProtectedColumn(QualifiedName table, ColumnPolicy column) {
        public ProtectedColumn {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(column, "column");
        }
    }

    private final String database;
    private final Map<QualifiedName, TableFacts> tables;
    private final Map<String, Set<String>> schemasByName;
    private final Map<Long, ProtectedColumn> byOrigin;

    /**
     * @param database the database it describes ({@code current_database()})
     * @param tables the policy tables that exist as tables
     * @param schemasByName for each protected table's name (catalog form), the schemas holding a
     *     relation of that name (tables, views, sequences, foreign tables…), possibly none
     */
    public CatalogFacts(String database, List<TableFacts> tables, Map<String, Set<String>> schemasByName) {
        this.database = Objects.requireNonNull(database, "database");
        Map<QualifiedName, TableFacts> byName = new LinkedHashMap<>();
        Map<Long, ProtectedColumn> origins = new HashMap<>();
        for (TableFacts t : tables) {
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate table " + t.name());
            }
            t.protectedColumns().forEach((attnum, column) ->
                    origins.put(origin(t.oid(), attnum), new ProtectedColumn(t.name(), column)));
        }
        this.tables = java.util.Collections.unmodifiableMap(byName);
        this.byOrigin = Map.copyOf(origins);
        Map<String, Set<String>> schemas = new LinkedHashMap<>();
        schemasByName.forEach((k, v) -> schemas.put(k, Set.copyOf(v)));
        this.schemasByName = Map.copyOf(schemas);
    }

    /** Facts of a database that holds none of the policy's tables. */
    public static CatalogFacts none(String database) {
        return new CatalogFacts(database, List.of(), Map.of());
    }

    /** The database it describes. */
    public String database() {
        return database;
    }

    /** The policy tables that exist as tables, in policy order. */
    public List<TableFacts> tables() {
        return List.copyOf(tables.values());
    }

    /** The policy table {@code name}, if it exists as a table. */
    public Optional<TableFacts> table(QualifiedName name) {
        return Optional.ofNullable(tables.get(name));
    }

    /** The column names of policy table {@code name} in column-number order, if it exists. */
    public Optional<List<String>> columns(QualifiedName name) {
        return table(name).map(TableFacts::columns);
    }

    /**
     * The schemas holding a relation named {@code name} (catalog form); empty for a name that is
     * not a protected table's (the check does not look those up).
     */
    public Set<String> schemasHolding(String name) {
        return schemasByName.getOrDefault(name, Set.of());
    }

    /**
     * The protected column at {@code (tableOid, attnum)} — a RowDescription field's origin — if it
     * is one. Allocation-free on a miss.
     */
    public Optional<ProtectedColumn> protectedColumn(int tableOid, int attnum) {
        if (tableOid == 0) {
            return Optional.empty();
        }
        ProtectedColumn c = byOrigin.get(origin(tableOid & 0xffffffffL, attnum));
        return c == null ? Optional.empty() : Optional.of(c);
    }

    private static long origin(long tableOid, int attnum) {
        return (tableOid << 16) | (attnum & 0xffff);
    }

    @Override
    public String toString() {
        return "CatalogFacts[" + database + ", tables=" + tables.keySet() + "]";
    }
}
