package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

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
}
