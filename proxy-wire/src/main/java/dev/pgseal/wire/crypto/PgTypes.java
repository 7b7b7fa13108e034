package dev.pgseal.wire.crypto;

import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.LogicalType.Kind;

/**
 * The built-in PostgreSQL types pgseal meets on the wire: OIDs, names for messages, and what a
 * RowDescription says about a logical type ({@code typlen}, {@code typmod}). OIDs of built-in
 * types are fixed in every PostgreSQL database.
 */
public final class PgTypes {

    /** {@code bytea}. */
    public static final int BYTEA = 17;
    /** {@code bytea[]} ({@code _bytea}). */
    public static final int BYTEA_ARRAY = 1001;
    /** {@code text}. */
    public static final int TEXT = 25;
    /** {@code json}. */
    public static final int JSON = 114;
    /** {@code unknown}: an untyped literal or parameter, resolved from context. */
    public static final int UNKNOWN = 705;
    /** Unspecified in Parse: PostgreSQL infers the type. */
    public static final int UNSPECIFIED = 0;

    private static final Kind[] KINDS = Kind.values();

    private PgTypes() {
    }

    /** The logical-type kind whose OID is {@code oid}, or null. */
    public static Kind kindOf(int oid) {
        for (Kind k : KINDS) {
            if (k.typeOid() == oid) {
                return k;
            }
        }
        return null;
    }

    /** A type's name for messages, as PostgreSQL spells it in errors. */
    public static String name(int oid) {
        return switch (oid) {
            case 16 -> "boolean";
            case 17 -> "bytea";
            case 20 -> "bigint";
            case 21 -> "smallint";
            case 23 -> "integer";
            case 25 -> "text";
            case 114 -> "json";
            case 700 -> "real";
            case 701 -> "double precision";
            case 705 -> "unknown";
            case 1001 -> "bytea[]";
            case 1042 -> "character";
            case 1043 -> "character varying";
            case 1082 -> "date";
            case 1114 -> "timestamp without time zone";
            case 1184 -> "timestamp with time zone";
            case 1700 -> "numeric";
            case 2950 -> "uuid";
            case 3802 -> "jsonb";
            default -> "type with OID " + Integer.toUnsignedString(oid);
        };
    }

    /** {@code pg_type.typlen} of the logical type: its fixed width, or -1 for a varlena. */
    public static short typeLength(LogicalType type) {
        return switch (type.kind()) {
            case BOOL -> 1;
            case INT2 -> 2;
            case INT4, DATE -> 4;
            case INT8, FLOAT8, TIMESTAMP, TIMESTAMPTZ -> 8;
            case UUID -> 16;
            case TEXT, VARCHAR, CHAR, NUMERIC, BYTEA, JSONB -> -1;
        };
    }

    /** The type modifier a column of the logical type reports: {@code n + 4} for {@code varchar(n)}/{@code char(n)}, else -1. */
    public static int typeModifier(LogicalType type) {
        return type.length().isPresent() ? type.length().getAsInt() + 4 : -1;
    }

    static boolean isText(Kind k) {
        return k == Kind.TEXT || k == Kind.VARCHAR || k == Kind.CHAR;
    }

    static boolean isInteger(Kind k) {
        return k == Kind.INT2 || k == Kind.INT4 || k == Kind.INT8;
    }
}
