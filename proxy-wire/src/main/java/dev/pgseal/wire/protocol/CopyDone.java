package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;

/** CopyDone ('c'), same format in both directions: the COPY stream ended. */
public final class CopyDone {
    public static final CopyDone INSTANCE = new CopyDone();

    private CopyDone() {
    }

    public static CopyDone decode(ByteBuf body) {
        Wire.expectEnd(body, "CopyDone");
        return INSTANCE;
    }
}
