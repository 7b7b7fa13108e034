package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Sync ('S'): a message without content. */
public final class Sync {
    public static final Sync INSTANCE = new Sync();

    private Sync() {
    }

    public static Sync decode(ByteBuf body) {
        Wire.expectEnd(body, "Sync");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "Sync";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, 'S');
    }
}
