package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** ParameterStatus ('S'): the current value of a reported run-time parameter (asynchronous). */
public record ParameterStatus(String name, String value) {
    public static ParameterStatus decode(ByteBuf body) {
        ParameterStatus p = new ParameterStatus(Wire.readCString(body), Wire.readCString(body));
        Wire.expectEnd(body, "ParameterStatus");
        return p;
    }
}
