package dev.pgseal.policy.internal;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.KeyPolicy;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.MaskPattern;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoadResult;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.RoleSet;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.policy.yaml.Diagnostics;
import dev.pgseal.policy.yaml.DurationText;
import dev.pgseal.policy.yaml.Location;
import dev.pgseal.policy.yaml.Suggestions;
import dev.pgseal.policy.yaml.YamlFields;
import dev.pgseal.policy.yaml.YamlNode;
import dev.pgseal.policy.yaml.YamlReader;
import dev.pgseal.policy.yaml.YamlScalar;
import dev.pgseal.policy.yaml.YamlSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns policy text into a {@link Policy} or the complete list of its problems. The rules are
 * documented in docs/policy.md; each message names the offending key or value.
 */
public final class PolicyParser {

    /** The only format version this code reads. */
    public static final int VERSION = 1;
    /** The shortest automatic rotation period accepted. */
    public static final Duration MIN_ROTATION = Duration.ofHours(1);

    static final List<String> ROOT_KEYS = List.of("version", "databases", "keys", "tables");
    static final List<String> KEY_KEYS = List.of("name", "rotation", "min_decryption_version");
    static final List<String> TABLE_KEYS = List.of("name", "primary_key", "columns");
    static final List<String> COLUMN_KEYS = List.of("name", "type", "encryption", "key", "readers", "writers",
            "on_unauthorized", "mask", "equality_group");

    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    /** An unquoted SQL identifier; folded to lower case, as PostgreSQL folds one. */
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final List<String> TYPE_NAMES = List.of("text", "varchar", "char", "int2", "int4", "int8",
            "numeric", "float8", "bool", "date", "timestamp", "timestamptz", "uuid", "bytea", "jsonb",
            "character varying", "character", "smallint", "integer", "int", "bigint", "decimal",
            "double precision", "boolean", "timestamp with time zone", "timestamp without time zone");

    private final String file;
    private final Diagnostics d = new Diagnostics();
    private final Map<String, KeyEntry> keys = new LinkedHashMap<>();
    private final Set<String> usedKeys = new HashSet<>();
    private final Map<QualifiedName, Location> tableNames = new LinkedHashMap<>();
    private final Map<String, GroupMember> groups = new LinkedHashMap<>();

    private record KeyEntry(KeyPolicy policy, YamlScalar nameNode) {
    }

    /** The first column seen in an equality group: the others must match its key ring and type. */
    private record GroupMember(String column, String key, LogicalType type, Location location) {
    }

    private PolicyParser(String file) {
        this.file = file;
    }

    /** Parses and validates; see {@link dev.pgseal.policy.PolicyLoader#parse(String, String)}. */
    public static PolicyLoadResult parse(String text, String fileName) {
        return new PolicyParser(fileName).run(text);
    }

    private PolicyLoadResult run(String text) {
        Optional<YamlNode> root = YamlReader.read(text, file, d);
        Policy policy = null;
        if (root.isEmpty()) {
            if (!d.hasErrors()) {
                d.error(new Location(file, 1, 1), "the policy is empty; it needs at least 'version: 1'");
            }
        } else {
            policy = YamlFields.of(root.get(), "the policy", d).map(this::policy).orElse(null);
        }
        boolean valid = policy != null && !d.hasErrors();
        return new PolicyLoadResult(file, valid ? Optional.of(policy) : Optional.empty(), d.errors(), d.warnings());
    }

    private Policy policy(YamlFields root) {
        root.allowOnly(ROOT_KEYS);
        if (root.require("version")) {
            OptionalInt version = root.integer("version");
            if (version.isPresent() && version.getAsInt() != VERSION) {
                d.error(root.node("version").orElseThrow(), "unsupported version " + version.getAsInt()
                        + "; this pgseal reads version " + VERSION);
            }
        }
        Optional<List<String>> databases = databases(root);
        root.list("keys").ifPresent(list -> list.items().forEach(this::key));
        List<TablePolicy> tables = new ArrayList<>();
        root.list("tables").ifPresent(list -> list.items().forEach(item -> table(item).ifPresent(tables::add)));
        for (KeyEntry key : keys.values()) {
            if (!usedKeys.contains(key.policy().name())) {
                d.warning(key.nameNode(), "key '" + key.policy().name() + "' is used by no column");
            }
        }
        if (d.hasErrors()) {
            return null;
        }
        return new Policy(VERSION, databases, keys.values().stream().map(KeyEntry::policy).toList(), tables);
    }

    // ---- databases --------------------------------------------------------------------------

    /**
     * The {@code databases:} list. Names are taken exactly as written (no case folding): a client
     * names its database in the startup packet, not in SQL, and PostgreSQL compares it byte for byte.
     */
    private Optional<List<String>> databases(YamlFields root) {
        Optional<List<YamlScalar>> items = root.scalarList("databases", false);
        if (items.isEmpty()) {
            return Optional.empty();
        }
        if (items.get().isEmpty()) {
            d.error(root.node("databases").orElseThrow(), "'databases' is empty; omit it to cover every database"
                    + " except the key store's");
            return Optional.empty();
        }
        Map<String, Location> seen = new LinkedHashMap<>();
        for (YamlScalar item : items.get()) {
            String name = item.value();
            if (name.isEmpty()) {
                d.error(item, "a database name in 'databases' must not be empty");
            } else if (name.getBytes(StandardCharsets.UTF_8).length > Identifiers.MAX_BYTES) {
                d.error(item, "database name '" + name.substring(0, name.offsetByCodePoints(0, Math.min(20, name.codePointCount(0, name.length())))) + "...' is longer than " + Identifiers.MAX_BYTES
                        + " bytes; PostgreSQL would truncate it");
            } else {
                Location first = seen.putIfAbsent(name, item.location());
                if (first != null) {
                    d.error(item, "database '" + name + "' is listed twice in 'databases' (first at line "
                            + first.line() + ")");
                }
            }
        }
        return Optional.of(List.copyOf(seen.keySet()));
    }

    // ---- keys -------------------------------------------------------------------------------

    private void key(YamlNode node) {
        Optional<YamlFields> f = YamlFields.of(node, "a key", d);
        if (f.isEmpty()) {
            return;
        }
        YamlFields key = f.get();
        key.allowOnly(KEY_KEYS);
        int errorsBefore = d.errorCount();
        Optional<String> name = key.requiredString("name");
        YamlScalar nameNode = key.scalar("name").orElse(null);
        if (name.isPresent() && !KEY_NAME.matcher(name.get()).matches()) {
            d.error(nameNode, "invalid key name '" + name.get() + "': use letters, digits, '_', '.' and '-'"
                    + " (at most 63, starting with a letter or digit)");
        }
        String label = name.map(n -> " for key '" + n + "'").orElse("");
        Optional<Duration> rotation = Optional.empty();
        Optional<YamlScalar> rotationNode = key.scalar("rotation");
        if (rotationNode.isPresent()) {
            String text = rotationNode.get().value();
            rotation = DurationText.parse(text);
            if (rotation.isEmpty()) {
                d.error(rotationNode.get(), "invalid rotation '" + text + "'" + label
                        + ": use a positive whole number followed by h, d or w, e.g. 90d");
            } else if (rotation.get().compareTo(MIN_ROTATION) < 0) {
                d.error(rotationNode.get(), "rotation '" + text + "'" + label + " is shorter than one hour"
                        + (text.trim().endsWith("m") ? " ('m' means minutes; for months write days, e.g. 90d)" : ""));
                rotation = Optional.empty();
            }
        }
        OptionalInt minVersion = key.integer("min_decryption_version");
        if (minVersion.isPresent() && minVersion.getAsInt() < 1) {
            d.error(key.node("min_decryption_version").orElseThrow(), "min_decryption_version" + label
                    + " must be at least 1, not " + minVersion.getAsInt());
        }
        if (name.isEmpty()) {
            return;
        }
        KeyEntry first = keys.get(name.get());
        if (first != null) {
            d.error(nameNode, "key '" + name.get() + "' is declared twice (first at line "
                    + first.nameNode().location().line() + ")");
            return;
        }
        if (d.errorCount() == errorsBefore) {
            keys.put(name.get(), new KeyEntry(new KeyPolicy(name.get(), rotation, minVersion), nameNode));
        } else {
            // Still known, so columns that use it are not reported as referring to an unknown key.
            keys.put(name.get(), new KeyEntry(KeyPolicy.manual(name.get()), nameNode));
        }
    }

    // ---- tables -----------------------------------------------------------------------------

    private Optional<TablePolicy> table(YamlNode node) {
        Optional<YamlFields> f = YamlFields.of(node, "a table", d);
        if (f.isEmpty()) {
            return Optional.empty();
        }
        YamlFields table = f.get();
        table.allowOnly(TABLE_KEYS);
        int errorsBefore = d.errorCount();
        QualifiedName name = null;
        Optional<String> nameText = table.requiredString("name");
        if (nameText.isPresent()) {
            YamlScalar nameNode = table.scalar("name").orElseThrow();
            try {
                name = QualifiedName.parse(nameText.get());
                Location first = tableNames.putIfAbsent(name, nameNode.location());
                if (first != null) {
                    d.error(nameNode, "table '" + name + "' is declared twice (first at line " + first.line() + ")");
                }
            } catch (IllegalArgumentException e) {
                d.error(nameNode, "invalid table name '" + nameText.get() + "': " + e.getMessage());
            }
        }
        String label = name == null ? "" : " of table '" + name + "'";
        QualifiedName tableName = name;

        List<String> primaryKey = new ArrayList<>();
        Map<String, YamlScalar> primaryKeyNodes = new LinkedHashMap<>();
        Optional<List<YamlScalar>> pk = table.scalarList("primary_key", true);
        if (pk.isPresent()) {
            for (YamlScalar item : pk.get()) {
                try {
                    String column = Identifiers.parseSingle(item.value().trim());
                    if (primaryKeyNodes.putIfAbsent(column, item) != null) {
                        d.error(item, "column '" + column + "' appears twice in primary_key" + label);
                    } else {
                        primaryKey.add(column);
                    }
                } catch (IllegalArgumentException e) {
                    d.error(item, "invalid primary_key column '" + item.value() + "'" + label + ": " + e.getMessage());
                }
            }
        } else if (!table.has("primary_key") && name != null) {
            d.warning(table.keyNode("name").orElseThrow(), "table '" + name + "' has no primary_key: after a key"
                    + " rotation its existing rows cannot be re-encrypted in the background");
        }

        List<ColumnPolicy> columns = new ArrayList<>();
        Map<String, Location> columnNames = new LinkedHashMap<>();
        if (table.require("columns")) {
            Optional<YamlSequence> list = table.list("columns");
            if (list.isPresent() && list.get().items().isEmpty()) {
                d.error(list.get(), "'columns'" + label + " is empty; list at least one protected column");
            }
            list.ifPresent(l -> l.items().forEach(item -> {
                Optional<ColumnDraft> column = column(item, label, tableName);
                column.ifPresent(c -> {
                    Location first = columnNames.putIfAbsent(c.name, c.nameLocation);
                    if (first != null) {
                        d.error(c.nameLocation, "column '" + c.name + "'" + label + " is declared twice"
                                + " (first at line " + first.line() + ")");
                    } else if (primaryKeyNodes.containsKey(c.name) && c.encryption == Encryption.RANDOMIZED) {
                        d.error(c.encryptionLocation, "primary key column '" + c.name + "'" + label
                                + " is encrypted randomized; a primary key column must be unencrypted or deterministic");
                    }
                    if (c.policy != null) {
                        columns.add(c.policy);
                    }
                });
            }));
        }
        if (name == null || d.errorCount() != errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new TablePolicy(name, primaryKey, columns));
    }

    // ---- columns ----------------------------------------------------------------------------

    /** What the table-level checks need to know about a column, even one with errors. */
    private static final class ColumnDraft {
        String name;
        Location nameLocation;
        Encryption encryption;
        Location encryptionLocation;
        ColumnPolicy policy;
    }

    private Optional<ColumnDraft> column(YamlNode node, String tableLabel, QualifiedName table) {
        Optional<YamlFields> f = YamlFields.of(node, "a column", d);
        if (f.isEmpty()) {
            return Optional.empty();
        }
        YamlFields column = f.get();
        column.allowOnly(COLUMN_KEYS);
        int errorsBefore = d.errorCount();
        ColumnDraft draft = new ColumnDraft();

        Optional<String> nameText = column.requiredString("name");
        if (nameText.isPresent()) {
            YamlScalar nameNode = column.scalar("name").orElseThrow();
            try {
                draft.name = Identifiers.parseSingle(nameText.get().trim());
                draft.nameLocation = nameNode.location();
            } catch (IllegalArgumentException e) {
                d.error(nameNode, "invalid column name '" + nameText.get() + "'" + tableLabel + ": " + e.getMessage());
            }
        }
        String label = draft.name == null ? "" : "column '" + draft.name + "'";

        LogicalType type = null;
        if (column.require("type")) {
            Optional<YamlScalar> typeNode = column.scalar("type");
            if (typeNode.isPresent()) {
                type = logicalType(typeNode.get()).orElse(null);
            }
        }

        draft.encryption = column.enumValue("encryption", Encryption.class).orElse(
                column.has("encryption") ? null : Encryption.RANDOMIZED);
        draft.encryptionLocation = column.node("encryption").map(YamlNode::location).orElse(column.location());

        String key = null;
        Optional<String> keyText = column.requiredString("key");
        if (keyText.isPresent()) {
            key = keyText.get();
            usedKeys.add(key);
            if (!keys.containsKey(key)) {
                d.error(column.scalar("key").orElseThrow(), (label.isEmpty() ? "a column" : label)
                        + " uses key '" + key + "', which is not declared under 'keys'"
                        + Suggestions.hint(key, keys.keySet()));
            }
        }

        RoleSet readers = column.require("readers") ? roles(column, "readers").orElse(null) : null;
        RoleSet writers = column.has("writers") ? roles(column, "writers").orElse(null) : readers;

        OnUnauthorized onUnauthorized = column.enumValue("on_unauthorized", OnUnauthorized.class).orElse(
                column.has("on_unauthorized") ? null : OnUnauthorized.ERROR);

        Optional<MaskPattern> mask = Optional.empty();
        Optional<YamlScalar> maskNode = column.scalar("mask");
        if (maskNode.isPresent()) {
            try {
                mask = Optional.of(MaskPattern.parse(maskNode.get().value()));
            } catch (IllegalArgumentException e) {
                d.error(maskNode.get(), "invalid mask '" + maskNode.get().value() + "'"
                        + (label.isEmpty() ? "" : " of " + label) + ": " + e.getMessage());
            }
        }
        String of = label.isEmpty() ? "the column" : label;
        if (maskNode.isPresent() && readers != null && readers.everyone()) {
            d.error(maskNode.get(), "mask on " + of + " never applies: its readers are '*', so every role sees plaintext");
        } else if (mask.isPresent() && type != null) {
            MaskRule.check(mask.get(), type).ifPresent(problem -> d.error(maskNode.get(),
                    "mask '" + maskNode.get().value() + "' on " + of + " (" + column.string("type").orElse("")
                            + ") " + problem));
        }
        if (onUnauthorized == OnUnauthorized.MASK && maskNode.isEmpty()) {
            d.error(column.node("on_unauthorized").orElseThrow(), of + " has on_unauthorized: mask but no 'mask' pattern");
        }
        if (maskNode.isPresent() && onUnauthorized != null && onUnauthorized != OnUnauthorized.MASK
                && (readers == null || !readers.everyone())) {
            d.warning(maskNode.get(), "mask on " + of + " is ignored: on_unauthorized is '"
                    + onUnauthorized.name().toLowerCase(Locale.ROOT) + "', not 'mask'");
            mask = Optional.empty();
        }

        Optional<String> group = equalityGroup(column, draft, table, key, type);

        if (d.errorCount() == errorsBefore && draft.name != null) {
            draft.policy = new ColumnPolicy(draft.name, type, draft.encryption, key, readers, writers, onUnauthorized,
                    mask, group);
        }
        return draft.name == null ? Optional.empty() : Optional.of(draft);
    }

    /**
     * The column's {@code equality_group}: an unquoted identifier (folded to lower case), on a
     * deterministic column, with the key ring and logical type of the group's first column. The
     * envelope binds the group instead of the column, so columns that differed in either would
     * either never compare equal or decrypt as the wrong type.
     */
    private Optional<String> equalityGroup(YamlFields column, ColumnDraft draft, QualifiedName table, String key,
            LogicalType type) {
        if (!column.has("equality_group")) {
            return Optional.empty();
        }
        Optional<YamlScalar> node = column.scalar("equality_group");
        if (node.isEmpty()) {
            return Optional.empty(); // not a scalar: reported by scalar()
        }
        String text = node.get().value().trim();
        String of = draft.name == null ? "the column" : "column '" + draft.name + "'"
                + (table == null ? "" : " of table '" + table + "'");
        if (!GROUP_NAME.matcher(text).matches()) {
            d.error(node.get(), "invalid equality_group '" + node.get().value() + "' on " + of
                    + ": a group name is an identifier (letters, digits and '_', starting with a letter or '_',"
                    + " at most 63)");
            return Optional.empty();
        }
        String group = text.toLowerCase(Locale.ROOT);
        if (draft.encryption == Encryption.RANDOMIZED) {
            d.error(node.get(), of + " is in equality group '" + group + "' but encrypted "
                    + (column.has("encryption") ? "randomized" : "randomized (the default)")
                    + "; the columns of an equality group must be deterministic");
            return Optional.empty();
        }
        if (draft.encryption == null || key == null || type == null || draft.name == null || table == null) {
            return Optional.empty(); // the column has errors of its own; nothing to compare
        }
        String where = table.toSql() + "." + draft.name;
        GroupMember first = groups.putIfAbsent(group, new GroupMember(where, key, type, node.get().location()));
        if (first != null) {
            String with = of + " is in equality group '" + group + "' with column " + first.column() + " (line "
                    + first.location().line() + ")";
            if (!first.key().equals(key)) {
                d.error(node.get(), with + ", but uses key '" + key + "' where that column uses key '" + first.key()
                        + "'; the columns of one equality group must use one key ring");
                return Optional.empty();
            }
            if (!first.type().equals(type)) {
                d.error(node.get(), with + ", but has type " + type + " where that column has type " + first.type()
                        + "; the columns of one equality group must have the same type");
                return Optional.empty();
            }
        }
        return Optional.of(group);
    }

    private Optional<LogicalType> logicalType(YamlScalar node) {
        String text = node.value();
        Optional<LogicalType> type = LogicalType.parse(text);
        if (type.isPresent()) {
            return type;
        }
        String base = text.contains("(") ? text.substring(0, text.indexOf('(')) : text;
        if (LogicalType.parse(base).isPresent()) {
            d.error(node, "invalid type '" + text + "': only varchar(n) and char(n) take a length,"
                    + " from 1 to 10485760");
        } else {
            String hint = Suggestions.hint(base.trim().toLowerCase(Locale.ROOT), TYPE_NAMES);
            d.error(node, "unknown type '" + text + "'" + (hint.isEmpty()
                    ? "; expected one of: text, varchar(n), char(n), int2, int4, int8, numeric, float8, bool,"
                    + " date, timestamp, timestamptz, uuid, bytea, jsonb (or a PostgreSQL alias such as integer)"
                    : hint));
        }
        return Optional.empty();
    }

    private Optional<RoleSet> roles(YamlFields column, String key) {
        Optional<List<YamlScalar>> items = column.scalarList(key, true);
        if (items.isEmpty()) {
            // [] reads as an empty list; only an error leaves nothing here
            return column.has(key) ? Optional.empty() : Optional.of(RoleSet.none());
        }
        boolean all = items.get().stream().anyMatch(s -> s.value().trim().equals("*"));
        if (all) {
            if (items.get().size() > 1) {
                d.error(column.node(key).orElseThrow(), "'*' (every role) cannot be combined with role names in '"
                        + key + "'");
                return Optional.empty();
            }
            return Optional.of(RoleSet.all());
        }
        Set<String> roles = new LinkedHashSet<>();
        boolean ok = true;
        for (YamlScalar item : items.get()) {
            try {
                roles.add(Identifiers.parseSingle(item.value().trim()));
            } catch (IllegalArgumentException e) {
                d.error(item, "invalid role name '" + item.value() + "' in '" + key + "': " + e.getMessage());
                ok = false;
            }
        }
        return ok ? Optional.of(RoleSet.of(roles)) : Optional.empty();
    }
}
