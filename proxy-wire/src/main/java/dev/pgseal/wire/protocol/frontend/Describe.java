package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** Describe ('D'): of a prepared statement ({@code 'S'}) or a portal ({@code 'P'}). */
public record Describe(char target, String name) {
    public static Describe decode(ByteBuf body) {
        char target = (char) Wire.readByte(body);
        if (target != 'S' && target != 'P') {
            throw new MalformedMessageException("invalid DESCRIBE message subtype " + (int) target);
        }
        String name = Wire.readCString(body);
        Wire.expectEnd(body, "Describe");
        return new Describe(target, name);
    }

    public boolean isStatement() {
        return target == 'S';
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'D', name.length() * 3 + 2);
        b.writeByte(target);
        Wire.writeCString(b, name);
        return FrameWriter.finish(b);
    }
}
