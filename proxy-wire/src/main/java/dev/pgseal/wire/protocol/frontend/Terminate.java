package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Terminate ('X'): a message without content. */
public final class Terminate {
    public static final Terminate INSTANCE = new Terminate();

    private Terminate() {
    }

    public static Terminate decode(ByteBuf body) {
        Wire.expectEnd(body, "Terminate");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "Terminate";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, 'X');
    }
}
