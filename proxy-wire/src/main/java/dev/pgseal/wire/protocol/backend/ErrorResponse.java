package dev.pgseal.wire.protocol.backend;

import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

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

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'E', 64);
        fields.writeTo(b);
        return FrameWriter.finish(b);
    }

    /**
     * A copy whose cursor position (P) is mapped back to the client's text with {@code map} (from a
     * position in the text sent to PostgreSQL to one in the client's, 1-based; a result below 1 drops
     * the field). Unchanged when the error has no position.
     */
    public ErrorResponse withPosition(java.util.function.IntUnaryOperator map) {
        int p = fields.position();
        if (p < 1) {
            return this;
        }
        int mapped = map.applyAsInt(p);
        return new ErrorResponse(fields.with('P', mapped < 1 ? null : Integer.toString(mapped)));
    }
}
