package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** NotificationResponse ('A'): a NOTIFY delivered to this session (asynchronous). */
public record NotificationResponse(int processId, String channel, String payload) {
    public static NotificationResponse decode(ByteBuf body) {
        NotificationResponse n = new NotificationResponse(Wire.readInt(body), Wire.readCString(body), Wire.readCString(body));
        Wire.expectEnd(body, "NotificationResponse");
        return n;
    }
}
