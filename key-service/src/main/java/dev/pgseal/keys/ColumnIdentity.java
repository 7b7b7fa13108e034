package dev.pgseal.keys;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The column a value is stored in: schema, table and column names as PostgreSQL stores them
 * (already case-folded). The envelope binds it into the associated data, so a ciphertext copied into
 * another column, table or schema fails to decrypt. Its encoding ({@link #encoded()}) is three
 * length-prefixed UTF-8 strings: a stored format, never change it.
 */
public final class ColumnIdentity {

    private final String schema;
    private final String table;
    private final String column;
    private final byte[] encoded;

    private ColumnIdentity(String schema, String table, String column) {
        this.schema = schema;
        this.table = table;
        this.column = column;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : new String[] {schema, table, column}) {
            byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
            out.write(utf8.length >>> 24);
            out.write(utf8.length >>> 16);
            out.write(utf8.length >>> 8);
            out.write(utf8.length);
            out.write(utf8, 0, utf8.length);
        }
        this.encoded = out.toByteArray();
    }

    /**
     * The identity of {@code schema.table.column}.
     *
     * @throws IllegalArgumentException when a name is null or empty
     */
    public static ColumnIdentity of(String schema, String table, String column) {
        for (String part : new String[] {schema, table, column}) {
            if (part == null || part.isEmpty()) {
                throw new IllegalArgumentException("schema, table and column names must be non-empty");
            }
        }
        return new ColumnIdentity(schema, table, column);
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }

    /** The bytes bound into the associated data (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** Length of {@link #encoded()}, for callers that build associated data. */
    public int encodedLength() {
        return encoded.length;
    }

    /** Copies {@link #encoded()} into {@code target} at {@code offset}, without allocating. */
    public void copyEncodedTo(byte[] target, int offset) {
        System.arraycopy(encoded, 0, target, offset, encoded.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnIdentity other
                && schema.equals(other.schema) && table.equals(other.table) && column.equals(other.column);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table, column);
    }

    @Override
    public String toString() {
        return schema + "." + table + "." + column;
    }
}
