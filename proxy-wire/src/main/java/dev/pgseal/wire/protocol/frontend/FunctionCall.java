package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** FunctionCall ('F'): the legacy fast-path call of function {@code functionOid}. */
public final class FunctionCall {
    private final int functionOid;
    private final short[] argumentFormats;
    private final byte[][] arguments;
    private final short resultFormat;

    private FunctionCall(int functionOid, short[] argumentFormats, byte[][] arguments, short resultFormat) {
        this.functionOid = functionOid;
        this.argumentFormats = argumentFormats;
        this.arguments = arguments;
        this.resultFormat = resultFormat;
    }

    public static FunctionCall decode(ByteBuf body) {
        int oid = Wire.readInt(body);
        short[] formats = Bind.readShorts(body);
        int n = Wire.readCount(body);
        byte[][] args = new byte[n][];
        for (int i = 0; i < n; i++) {
            args[i] = Wire.readNullableValue(body);
        }
        short resultFormat = Wire.readShort(body);
        Wire.expectEnd(body, "FunctionCall");
        return new FunctionCall(oid, formats, args, resultFormat);
    }

    public int functionOid() {
        return functionOid;
    }

    public int argumentCount() {
        return arguments.length;
    }

    public short[] argumentFormats() {
        return argumentFormats.clone();
    }

    public byte[] argument(int i) {
        return arguments[i] == null ? null : arguments[i].clone();
    }

    public short resultFormat() {
        return resultFormat;
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'F', 32);
        b.writeInt(functionOid);
        Bind.writeShorts(b, argumentFormats);
        b.writeShort(arguments.length);
        for (byte[] v : arguments) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length).writeBytes(v);
            }
        }
        b.writeShort(resultFormat);
        return FrameWriter.finish(b);
    }
}
