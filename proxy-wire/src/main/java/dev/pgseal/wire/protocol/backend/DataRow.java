package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/**
 * DataRow ('D'): one row. The relay never builds this class (it forwards DataRow frames as they
 * are); it exists for code that must read values.
 */
public final class DataRow {
    private final byte[][] values;

    private DataRow(byte[][] values) {
        this.values = values;
    }

    public static DataRow decode(ByteBuf body) {
        int n = Wire.readCount(body);
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            values[i] = Wire.readNullableValue(body);
        }
        Wire.expectEnd(body, "DataRow");
        return new DataRow(values);
    }

    public int columnCount() {
        return values.length;
    }

    /** A copy of column {@code i}'s value, {@code null} for SQL NULL. */
    public byte[] value(int i) {
        return values[i] == null ? null : values[i].clone();
    }
}
