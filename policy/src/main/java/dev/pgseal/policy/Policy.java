package dev.pgseal.policy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded, valid policy: the databases it covers, the key rings and the protected tables.
 * Immutable and safe to share between threads; lookups by name are hash lookups. Obtain one from
 * {@link PolicyLoader}.
 *
 * <p>The tables are named without a database: the policy applies the same tables to every
 * database it {@linkplain #covers covers}, and whatever the catalog says about them (OIDs, types,
 * constraints) is a fact of one database, to be checked per database ({@link CatalogCheck}).
 */
public final class Policy {

    private static final Policy EMPTY = new Policy(1, List.of(), List.of());

    private final int version;
    private final Optional<List<String>> databases;
    private final List<KeyPolicy> keys;
    private final List<TablePolicy> tables;
    private final Map<String, KeyPolicy> keysByName;
    private final Map<QualifiedName, TablePolicy> tablesByName;

    /**
     * A policy of the given parts that covers every database except the key store's. The loader
     * has validated them; this constructor only refuses duplicates.
     */
    public Policy(int version, List<KeyPolicy> keys, List<TablePolicy> tables) {
        this(version, Optional.empty(), keys, tables);
    }

    /**
     * A policy of the given parts. The loader has validated them; this constructor only refuses
     * duplicates and an empty database list (absent means every database; empty would mean none).
     *
     * @param databases the names of the databases it covers, exactly as in {@code pg_database.datname};
     *     empty to cover every database except the key store's
     */
    public Policy(int version, Optional<List<String>> databases, List<KeyPolicy> keys, List<TablePolicy> tables) {
        this.version = version;
        this.databases = databases.map(List::copyOf);
        this.databases.ifPresent(list -> {
            if (list.isEmpty()) {
                throw new IllegalArgumentException("an explicit database list must name at least one database");
            }
            if (new HashSet<>(list).size() != list.size()) {
                throw new IllegalArgumentException("duplicate database in " + list);
            }
        });
        this.keys = List.copyOf(keys);
        this.tables = List.copyOf(tables);
        Map<String, KeyPolicy> k = new LinkedHashMap<>();
        for (KeyPolicy key : this.keys) {
            if (k.put(key.name(), key) != null) {
                throw new IllegalArgumentException("duplicate key " + key.name());
            }
        }
        Map<QualifiedName, TablePolicy> t = new LinkedHashMap<>();
        for (TablePolicy table : this.tables) {
            if (t.put(table.name(), table) != null) {
                throw new IllegalArgumentException("duplicate table " + table.name());
            }
        }
        this.keysByName = Map.copyOf(k);
        this.tablesByName = Map.copyOf(t);
    }

    /** A policy that protects nothing: pgseal then behaves as a plain wire-faithful proxy. */
    public static Policy empty() {
        return EMPTY;
    }

    /** The format version (1). */
    public int version() {
        return version;
    }

    /**
     * The databases the policy names ({@code databases:}), in policy order; empty when it names
     * none and so covers every database except the key store's.
     */
    public Optional<List<String>> databases() {
        return databases;
    }

    /**
     * Whether this policy applies to the database called {@code database} (a name exactly as in
     * {@code pg_database.datname}, as a client's startup packet names it), given that the key
     * store lives in the database called {@code storeDatabase}. The store's database is never
     * covered, even when listed (the server refuses such a configuration at start). pgseal serves
     * a covered database only once its catalog matches ({@link CatalogCheck}); any other database
     * it serves as a plain proxy.
     */
    public boolean covers(String database, String storeDatabase) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(storeDatabase, "storeDatabase");
        if (database.equals(storeDatabase)) {
            return false;
        }
        return databases.map(list -> list.contains(database)).orElse(true);
    }

    /** The key rings, in policy order. */
    public List<KeyPolicy> keys() {
        return keys;
    }

    /** The protected tables, in policy order. */
    public List<TablePolicy> tables() {
        return tables;
    }

    /** The key ring named {@code name}. */
    public Optional<KeyPolicy> key(String name) {
        return Optional.ofNullable(keysByName.get(name));
    }

    /** The names of every key ring. */
    public Set<String> keyNames() {
        return keysByName.keySet();
    }

    /** The table with this schema and name, both exactly as in the catalog (case-sensitive). */
    public Optional<TablePolicy> table(String schema, String name) {
        return Optional.ofNullable(tablesByName.get(new QualifiedName(schema, name)));
    }

    /** The table with this name. */
    public Optional<TablePolicy> table(QualifiedName name) {
        return Optional.ofNullable(tablesByName.get(name));
    }

    /** The names of every protected table. */
    public Set<QualifiedName> tableNames() {
        return tablesByName.keySet();
    }

    /** The number of protected columns over all tables. */
    public int columnCount() {
        return tables.stream().mapToInt(t -> t.columns().size()).sum();
    }

    /**
     * The tables whose protection differs between {@code before} and {@code after}: added,
     * removed, changed, or using a key ring whose settings changed. Cached plans that mention any
     * of them must be dropped.
     */
    public static Set<QualifiedName> changedTables(Policy before, Policy after) {
        Set<QualifiedName> changed = new LinkedHashSet<>();
        Set<String> changedKeys = new HashSet<>();
        for (String k : union(before.keyNames(), after.keyNames())) {
            if (!Objects.equals(before.keysByName.get(k), after.keysByName.get(k))) {
                changedKeys.add(k);
            }
        }
        for (QualifiedName name : union(before.tableNames(), after.tableNames())) {
            TablePolicy b = before.tablesByName.get(name);
            TablePolicy a = after.tablesByName.get(name);
            if (!Objects.equals(a, b) || usesAny(a, changedKeys) || usesAny(b, changedKeys)) {
                changed.add(name);
            }
        }
        return Set.copyOf(changed);
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static boolean usesAny(TablePolicy table, Set<String> keys) {
        return table != null && table.columns().stream().anyMatch(c -> keys.contains(c.key()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Policy p && p.version == version && p.databases.equals(databases) && p.keys.equals(keys)
                && p.tables.equals(tables);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, databases, keys, tables);
    }

    @Override
    public String toString() {
        return "Policy[version=" + version + databases.map(d -> ", databases=" + d).orElse("") + ", keys="
                + keyNames() + ", tables=" + tableNames() + "]";
    }
}
