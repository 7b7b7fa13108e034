package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

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
}
