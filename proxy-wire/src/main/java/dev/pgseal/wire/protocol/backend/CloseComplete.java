package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** CloseComplete ('3'): a message without content. */
public final class CloseComplete {
    public static final CloseComplete INSTANCE = new CloseComplete();

    private CloseComplete() {
    }

    public static CloseComplete decode(ByteBuf body) {
        Wire.expectEnd(body, "CloseComplete");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "CloseComplete";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, '3');
    }
}
