package dev.pgseal.keys;

/** The format of a value on the PostgreSQL wire: the format code of Bind and RowDescription. */
public enum WireFormat {
    /** Format code 0: the type's text representation, in the client encoding (UTF-8 here). */
    TEXT,
    /** Format code 1: the type's binary send/receive representation. */
    BINARY;

    /** The protocol's format code. */
    public int code() {
        return ordinal();
    }

    /**
     * The format with protocol code {@code code}.
     *
     * @throws IllegalArgumentException for a code other than 0 or 1
     */
    public static WireFormat fromCode(int code) {
        return switch (code) {
            case 0 -> TEXT;
            case 1 -> BINARY;
            default -> throw new IllegalArgumentException("format code: " + code + " (expected: 0 or 1)");
        };
    }
}
