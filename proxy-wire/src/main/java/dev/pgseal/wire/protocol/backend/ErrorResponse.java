package dev.pgseal.wire.protocol.backend;

import io.netty.buffer.ByteBuf;

/** ErrorResponse ('E'). */
public record ErrorResponse(ErrorFields fields) {
    public static ErrorResponse decode(ByteBuf body) {
        return new ErrorResponse(ErrorFields.decode(body));
    }

    public String sqlState() {
        return fields.sqlState();
    }

    /** FATAL or PANIC: PostgreSQL closes the connection after it. */
    public boolean isFatal() {
        String s = fields.severity();
        return s.equals("FATAL") || s.equals("PANIC");
    }
}
