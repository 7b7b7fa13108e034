package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

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
}
