package dev.pgseal.policy;

import dev.pgseal.policy.internal.Identifiers;
import java.util.List;

/**
 * A schema-qualified table name as PostgreSQL stores it in its catalog: unquoted names in the
 * policy fold to lower case, {@code "Quoted"} names keep their case, and an unqualified name is in
 * schema {@code public}.
 *
 * @param schema the schema, exactly as in {@code pg_namespace.nspname}
 * @param name the table, exactly as in {@code pg_class.relname}
 */
public record QualifiedName(String schema, String name) {

    /** The schema of an unqualified name. */
    public static final String DEFAULT_SCHEMA = "public";

    public QualifiedName {
        if (schema == null || schema.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("schema and name must not be empty");
        }
    }

    /**
     * Parses {@code patients}, {@code public.patients} or {@code "Sales"."Orders"}.
     *
     * @throws IllegalArgumentException when the text is not a valid (optionally qualified) name
     */
    public static QualifiedName parse(String text) {
        List<String> parts = Identifiers.parseDotted(text.trim());
        return switch (parts.size()) {
            case 1 -> new QualifiedName(DEFAULT_SCHEMA, parts.get(0));
            case 2 -> new QualifiedName(parts.get(0), parts.get(1));
            default -> throw new IllegalArgumentException("expected table or schema.table, not " + parts.size() + " parts");
        };
    }

    /** The name as SQL text, quoted where needed: {@code public.patients}, {@code "Sales"."Orders"}. */
    public String toSql() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }

    /** Same as {@link #toSql()}. */
    @Override
    public String toString() {
        return toSql();
    }
}
