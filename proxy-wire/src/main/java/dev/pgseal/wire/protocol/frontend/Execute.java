package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Execute ('E'): runs portal {@code portal}, at most {@code maxRows} rows (0: no limit). */
public record Execute(String portal, int maxRows) {
    public static Execute decode(ByteBuf body) {
        String portal = Wire.readCString(body);
        int maxRows = Wire.readInt(body);
        Wire.expectEnd(body, "Execute");
        return new Execute(portal, maxRows);
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'E', portal.length() * 3 + 5);
        Wire.writeCString(b, portal);
        b.writeInt(maxRows);
        return FrameWriter.finish(b);
    }
}
