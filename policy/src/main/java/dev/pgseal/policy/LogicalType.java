package dev.pgseal.policy;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The logical type of a protected column: the PostgreSQL type the application sees, while the
 * physical column holds {@code bytea} ciphertext. Each kind has a canonical binary encoding
 * (implemented in key-service) so that equal values encrypt equally however a client formatted them.
 *
 * @param kind the base type
 * @param length the declared length of {@code varchar(n)} and {@code char(n)}; empty otherwise
 */
public record LogicalType(Kind kind, OptionalInt length) {

    /** The supported base types, with the PostgreSQL type OID the client sees. */
    public enum Kind {
        TEXT("text", 25),
        VARCHAR("varchar", 1043),
        CHAR("char", 1042),
        INT2("int2", 21),
        INT4("int4", 23),
        INT8("int8", 20),
        NUMERIC("numeric", 1700),
        FLOAT8("float8", 701),
        BOOL("bool", 16),
        DATE("date", 1082),
        TIMESTAMP("timestamp", 1114),
        TIMESTAMPTZ("timestamptz", 1184),
        UUID("uuid", 2950),
        BYTEA("bytea", 17),
        JSONB("jsonb", 3802);

        private final String canonicalName;
        private final int typeOid;

        Kind(String canonicalName, int typeOid) {
            this.canonicalName = canonicalName;
            this.typeOid = typeOid;
        }

        /** The name pgseal prints for this kind, e.g. {@code int4}. */
        public String canonicalName() {
            return canonicalName;
        }

        /** The PostgreSQL type OID of this kind as the client sees it. */
        public int typeOid() {
            return typeOid;
        }

        /** Whether the kind takes a length, as {@code varchar(n)} and {@code char(n)} do. */
        public boolean takesLength() {
            return this == VARCHAR || this == CHAR;
        }
    }

    private static final Map<String, Kind> NAMES = Map.ofEntries(
            Map.entry("text", Kind.TEXT),
            Map.entry("varchar", Kind.VARCHAR),
            Map.entry("character varying", Kind.VARCHAR),
            Map.entry("char", Kind.CHAR),
            Map.entry("character", Kind.CHAR),
            Map.entry("bpchar", Kind.CHAR),
            Map.entry("int2", Kind.INT2),
            Map.entry("smallint", Kind.INT2),
            Map.entry("int4", Kind.INT4),
            Map.entry("int", Kind.INT4),
            Map.entry("integer", Kind.INT4),
            Map.entry("int8", Kind.INT8),
            Map.entry("bigint", Kind.INT8),
            Map.entry("numeric", Kind.NUMERIC),
            Map.entry("decimal", Kind.NUMERIC),
            Map.entry("float8", Kind.FLOAT8),
            Map.entry("double precision", Kind.FLOAT8),
            Map.entry("bool", Kind.BOOL),
            Map.entry("boolean", Kind.BOOL),
            Map.entry("date", Kind.DATE),
            Map.entry("timestamp", Kind.TIMESTAMP),
            Map.entry("timestamp without time zone", Kind.TIMESTAMP),
            Map.entry("timestamptz", Kind.TIMESTAMPTZ),
            Map.entry("timestamp with time zone", Kind.TIMESTAMPTZ),
            Map.entry("uuid", Kind.UUID),
            Map.entry("bytea", Kind.BYTEA),
            Map.entry("jsonb", Kind.JSONB));

    private static final Pattern SHAPE = Pattern.compile("([a-z][a-z0-9 ]*?)\\s*(?:\\(\\s*(\\d+)\\s*\\))?");

    public LogicalType {
        if (kind == null || length == null) {
            throw new IllegalArgumentException("kind and length are required");
        }
        if (length.isPresent() && !kind.takesLength()) {
            throw new IllegalArgumentException(kind.canonicalName() + " takes no length");
        }
        if (length.isPresent() && (length.getAsInt() < 1 || length.getAsInt() > 10_485_760)) {
            throw new IllegalArgumentException("length must be between 1 and 10485760");
        }
    }

    /** A type without a length. */
    public static LogicalType of(Kind kind) {
        return new LogicalType(kind, OptionalInt.empty());
    }

    /**
     * Parses a type as PostgreSQL users write it: {@code integer}, {@code character varying(40)},
     * {@code timestamp with time zone}, … Returns empty for an unknown name or a malformed length.
     */
    public static Optional<LogicalType> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String folded = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        Matcher m = SHAPE.matcher(folded);
        if (!m.matches()) {
            return Optional.empty();
        }
        Kind kind = NAMES.get(m.group(1).trim());
        if (kind == null) {
            return Optional.empty();
        }
        if (m.group(2) == null) {
            // PostgreSQL reads a bare "char" / "character" as char(1).
            return Optional.of(kind == Kind.CHAR ? new LogicalType(kind, OptionalInt.of(1)) : of(kind));
        }
        if (!kind.takesLength()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LogicalType(kind, OptionalInt.of(Integer.parseInt(m.group(2)))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The canonical spelling, e.g. {@code varchar(40)} or {@code int4}. */
    @Override
    public String toString() {
        return length.isPresent() ? kind.canonicalName() + "(" + length.getAsInt() + ")" : kind.canonicalName();
    }
}
