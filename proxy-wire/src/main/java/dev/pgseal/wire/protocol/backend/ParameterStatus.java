package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** ParameterStatus ('S'): the current value of a reported run-time parameter (asynchronous). */
public record ParameterStatus(String name, String value) {
    public static ParameterStatus decode(ByteBuf body) {
        ParameterStatus p = new ParameterStatus(Wire.readCString(body), Wire.readCString(body));
        Wire.expectEnd(body, "ParameterStatus");
        return p;
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'S', name.length() + value.length() + 2);
        Wire.writeCString(b, name);
        Wire.writeCString(b, value);
        return FrameWriter.finish(b);
    }
}
