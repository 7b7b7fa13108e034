package dev.pgseal.keys;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What an envelope is bound to: the column a value is stored in — schema, table and column names
 * as PostgreSQL stores them (already case-folded) — or, for a deterministic column in an equality
 * group, the group. The envelope binds {@link #encoded()} into the associated data, so a ciphertext
 * copied into another column, table or schema fails to decrypt, while the columns of one equality
 * group share their envelopes: equal values encrypt equally in all of them and each column's
 * envelope decrypts as any other's (the policy keeps a group on one key ring and one type).
 *
 * <p>The encoding is a stored format, never change it: for a column, three length-prefixed
 * (big-endian int32) UTF-8 strings, schema, table, column, each non-empty; for a group, an empty
 * length-prefixed string (four zero bytes, which no column's encoding starts with) followed by the
 * length-prefixed UTF-8 group name. So no column and no group ever share an encoding. Changing a
 * column's group changes what its envelopes bind: the values it already holds no longer decrypt.
 */
public final class ColumnIdentity {

    private final String schema;
    private final String table;
    private final String column;
    private final Optional<String> group;
    private final byte[] encoded;

    private ColumnIdentity(String schema, String table, String column, Optional<String> group) {
        this.schema = schema;
        this.table = table;
        this.column = column;
        this.group = group;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = group.isPresent() ? new String[] {"", group.get()} : new String[] {schema, table, column};
        for (String part : parts) {
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
     * The identity of {@code schema.table.column}, a column in no equality group.
     *
     * @throws IllegalArgumentException when a name is null or empty
     */
    public static ColumnIdentity of(String schema, String table, String column) {
        requireNames(schema, table, column);
        return new ColumnIdentity(schema, table, column, Optional.empty());
    }

    /**
     * The identity of {@code schema.table.column} as a member of equality group {@code group}: its
     * envelopes bind the group, not the column. The names are kept for messages only.
     *
     * @throws IllegalArgumentException when a name or the group is null or empty
     */
    public static ColumnIdentity inGroup(String schema, String table, String column, String group) {
        requireNames(schema, table, column);
        if (group == null || group.isEmpty()) {
            throw new IllegalArgumentException("an equality group name must be non-empty");
        }
        return new ColumnIdentity(schema, table, column, Optional.of(group));
    }

    private static void requireNames(String... parts) {
        for (String part : parts) {
            if (part == null || part.isEmpty()) {
                throw new IllegalArgumentException("schema, table and column names must be non-empty");
            }
        }
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

    /** The equality group the envelopes bind instead of the column, if any. */
    public Optional<String> group() {
        return group;
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

    /** Whether envelopes bound to this identity and to {@code other} bind the same associated data. */
    public boolean sharesEnvelopesWith(ColumnIdentity other) {
        return java.util.Arrays.equals(encoded, other.encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnIdentity other
                && schema.equals(other.schema) && table.equals(other.table) && column.equals(other.column)
                && group.equals(other.group);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table, column, group);
    }

    @Override
    public String toString() {
        return schema + "." + table + "." + column + group.map(g -> " (equality group " + g + ")").orElse("");
    }
}
