package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** NoData ('n'): a message without content. */
public final class NoData {
    public static final NoData INSTANCE = new NoData();

    private NoData() {
    }

    public static NoData decode(ByteBuf body) {
        Wire.expectEnd(body, "NoData");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "NoData";
    }
}
