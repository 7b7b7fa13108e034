package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

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
}
