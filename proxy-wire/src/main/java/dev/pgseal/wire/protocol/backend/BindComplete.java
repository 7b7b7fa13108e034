package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** BindComplete ('2'): a message without content. */
public final class BindComplete {
    public static final BindComplete INSTANCE = new BindComplete();

    private BindComplete() {
    }

    public static BindComplete decode(ByteBuf body) {
        Wire.expectEnd(body, "BindComplete");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "BindComplete";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, '2');
    }
}
