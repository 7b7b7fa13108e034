package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** ParameterDescription ('t'): the type OIDs of a prepared statement's parameters. */
public final class ParameterDescription {
    private final int[] typeOids;

    public ParameterDescription(int[] typeOids) {
        this.typeOids = typeOids.clone();
    }

    public static ParameterDescription decode(ByteBuf body) {
        int n = Wire.readCount(body);
        int[] oids = new int[n];
        for (int i = 0; i < n; i++) {
            oids[i] = Wire.readInt(body);
        }
        Wire.expectEnd(body, "ParameterDescription");
        return new ParameterDescription(oids);
    }

    public int[] typeOids() {
        return typeOids.clone();
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 't', 2 + typeOids.length * 4);
        b.writeShort(typeOids.length);
        for (int oid : typeOids) {
            b.writeInt(oid);
        }
        return FrameWriter.finish(b);
    }
}
