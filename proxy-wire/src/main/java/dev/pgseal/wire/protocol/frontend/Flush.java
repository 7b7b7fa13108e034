package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Flush ('H'): a message without content. */
public final class Flush {
    public static final Flush INSTANCE = new Flush();

    private Flush() {
    }

    public static Flush decode(ByteBuf body) {
        Wire.expectEnd(body, "Flush");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "Flush";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, 'H');
    }
}
