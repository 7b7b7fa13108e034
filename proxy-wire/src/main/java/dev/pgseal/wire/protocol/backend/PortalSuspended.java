package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** PortalSuspended ('s'): a message without content. */
public final class PortalSuspended {
    public static final PortalSuspended INSTANCE = new PortalSuspended();

    private PortalSuspended() {
    }

    public static PortalSuspended decode(ByteBuf body) {
        Wire.expectEnd(body, "PortalSuspended");
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "PortalSuspended";
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.empty(alloc, 's');
    }
}
