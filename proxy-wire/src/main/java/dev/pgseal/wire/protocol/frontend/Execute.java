package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** Execute ('E'): runs portal {@code portal}, at most {@code maxRows} rows (0: no limit). */
public record Execute(String portal, int maxRows) {
    public static Execute decode(ByteBuf body) {
        String portal = Wire.readCString(body);
        int maxRows = Wire.readInt(body);
        Wire.expectEnd(body, "Execute");
        return new Execute(portal, maxRows);
    }
}
