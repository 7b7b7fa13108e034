package dev.pgseal.wire.protocol.backend;

import io.netty.buffer.ByteBuf;

/** NoticeResponse ('N'): asynchronous, answers no particular message. */
public record NoticeResponse(ErrorFields fields) {
    public static NoticeResponse decode(ByteBuf body) {
        return new NoticeResponse(ErrorFields.decode(body));
    }
}
