package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Close ('C'): closes a prepared statement ({@code 'S'}) or a portal ({@code 'P'}). */
public record Close(char target, String name) {
    public static Close decode(ByteBuf body) {
        char target = (char) Wire.readByte(body);
        if (target != 'S' && target != 'P') {
            throw new MalformedMessageException("invalid CLOSE message subtype " + (int) target);
        }
        String name = Wire.readCString(body);
        Wire.expectEnd(body, "Close");
        return new Close(target, name);
    }

    public boolean isStatement() {
        return target == 'S';
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'C', name.length() * 3 + 2);
        b.writeByte(target);
        Wire.writeCString(b, name);
        return FrameWriter.finish(b);
    }
}
