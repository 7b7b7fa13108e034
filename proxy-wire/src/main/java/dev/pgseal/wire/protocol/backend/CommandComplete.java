package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** CommandComplete ('C'): the command tag, such as {@code INSERT 0 5} or {@code SELECT 4294967296}. */
public record CommandComplete(String tag) {
    public static CommandComplete decode(ByteBuf body) {
        String tag = Wire.readCString(body);
        Wire.expectEnd(body, "CommandComplete");
        return new CommandComplete(tag);
    }

    /** The row count at the end of the tag, or -1 when the tag has none. A long: COPY may exceed 2^31. */
    public long rows() {
        int space = tag.lastIndexOf(' ');
        if (space < 0) {
            return -1;
        }
        try {
            return Long.parseLong(tag.substring(space + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'C', tag.length() + 1);
        Wire.writeCString(b, tag);
        return FrameWriter.finish(b);
    }
}
