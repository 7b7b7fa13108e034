package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** ParseComplete ('1'): a message without content. */
public final class ParseComplete {
    public static final ParseComplete INSTANCE = new ParseComplete();

    private ParseComplete() {
    }

    public static ParseComplete decode(ByteBuf body) {
        Wire.expectEnd(body, "ParseComplete");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "ParseComplete";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, '1');
    }
}
