package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** NoData ('n'): a message without content. */
public final class NoData {
    public static final NoData INSTANCE = new NoData();

    private NoData() {
    }

    public static NoData decode(ByteBuf body) {
        Wire.expectEnd(body, "NoData");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "NoData";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, 'n');
    }
}
