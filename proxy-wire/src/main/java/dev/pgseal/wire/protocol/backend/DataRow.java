package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

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

    /** A row of {@code values} ({@code null} for SQL NULL); the arrays are copied. */
    public static DataRow of(byte[]... values) {
        byte[][] copy = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            copy[i] = values[i] == null ? null : values[i].clone();
        }
        return new DataRow(copy);
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        int size = 2;
        for (byte[] v : values) {
            size += 4 + (v == null ? 0 : v.length);
        }
        ByteBuf b = FrameWriter.start(alloc, 'D', size);
        b.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length).writeBytes(v);
            }
        }
        return FrameWriter.finish(b);
    }
}
