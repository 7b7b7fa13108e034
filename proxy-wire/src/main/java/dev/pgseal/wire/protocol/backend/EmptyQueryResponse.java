package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** EmptyQueryResponse ('I'): a message without content. */
public final class EmptyQueryResponse {
    public static final EmptyQueryResponse INSTANCE = new EmptyQueryResponse();

    private EmptyQueryResponse() {
    }

    public static EmptyQueryResponse decode(ByteBuf body) {
        Wire.expectEnd(body, "EmptyQueryResponse");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "EmptyQueryResponse";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, 'I');
    }
}
