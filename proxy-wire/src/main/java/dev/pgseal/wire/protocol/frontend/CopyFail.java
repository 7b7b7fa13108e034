package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** CopyFail ('f'): the client aborts a COPY FROM STDIN with a reason. */
public record CopyFail(String reason) {
    public static CopyFail decode(ByteBuf body) {
        String reason = Wire.readCString(body);
        Wire.expectEnd(body, "CopyFail");
        return new CopyFail(reason);
    }
}
