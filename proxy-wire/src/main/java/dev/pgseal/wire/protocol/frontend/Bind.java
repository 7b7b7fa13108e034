package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Bind ('B'): binds parameter values to statement {@code statement}, creating portal {@code portal}. */
public final class Bind {
    private final String portal;
    private final String statement;
    private final short[] parameterFormats;
    private final byte[][] values;
    private final short[] resultFormats;

    public Bind(String portal, String statement, short[] parameterFormats, byte[][] values, short[] resultFormats) {
        this.portal = portal;
        this.statement = statement;
        this.parameterFormats = parameterFormats.clone();
        this.values = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            this.values[i] = values[i] == null ? null : values[i].clone();
        }
        this.resultFormats = resultFormats.clone();
    }

    public static Bind decode(ByteBuf body) {
        String portal = Wire.readCString(body);
        String statement = Wire.readCString(body);
        short[] formats = readShorts(body);
        int n = Wire.readCount(body);
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            values[i] = Wire.readNullableValue(body);
        }
        short[] resultFormats = readShorts(body);
        Wire.expectEnd(body, "Bind");
        return new Bind(portal, statement, formats, values, resultFormats);
    }

    static short[] readShorts(ByteBuf body) {
        int n = Wire.readCount(body);
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = Wire.readShort(body);
        }
        return s;
    }

    /** The same Bind of another prepared statement. */
    public Bind toStatement(String otherStatement) {
        return new Bind(portal, otherStatement, parameterFormats, values, resultFormats);
    }

    public String portal() {
        return portal;
    }

    public String statement() {
        return statement;
    }

    /** Format codes of the parameters: none (all text), one (for all), or one each; 0 text, 1 binary. */
    public short[] parameterFormats() {
        return parameterFormats.clone();
    }

    public int parameterCount() {
        return values.length;
    }

    /** A copy of parameter {@code i}'s value, {@code null} for SQL NULL. */
    public byte[] value(int i) {
        return values[i] == null ? null : values[i].clone();
    }

    /** The format of parameter {@code i} (0 text, 1 binary). */
    public int parameterFormat(int i) {
        return parameterFormats.length == 0 ? 0 : parameterFormats.length == 1 ? parameterFormats[0] : parameterFormats[i];
    }

    /** Format codes the client asks for the result columns, same conventions as parameter formats. */
    public short[] resultFormats() {
        return resultFormats.clone();
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'B', 64);
        Wire.writeCString(b, portal);
        Wire.writeCString(b, statement);
        writeShorts(b, parameterFormats);
        b.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length).writeBytes(v);
            }
        }
        writeShorts(b, resultFormats);
        return FrameWriter.finish(b);
    }

    static void writeShorts(ByteBuf b, short[] s) {
        b.writeShort(s.length);
        for (short x : s) {
            b.writeShort(x);
        }
    }
}
