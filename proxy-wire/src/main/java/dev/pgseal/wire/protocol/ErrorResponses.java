package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Encodes the ErrorResponse messages pgseal itself sends to clients. */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    /** An ErrorResponse with severity {@code FATAL}: the connection closes after it. */
    public static ByteBuf fatal(ByteBufAllocator alloc, String sqlState, String message) {
        return encode(alloc, 'E', "FATAL", sqlState, message);
    }

    /** An ErrorResponse with severity {@code ERROR}. */
    public static ByteBuf error(ByteBufAllocator alloc, String sqlState, String message) {
        return encode(alloc, 'E', "ERROR", sqlState, message);
    }

    /** Encodes an ErrorResponse ({@code type} 'E') or NoticeResponse ('N') with S, V, C and M fields. */
    public static ByteBuf encode(ByteBufAllocator alloc, char type, String severity, String sqlState, String message) {
        ByteBuf buf = alloc.buffer(32 + message.length() * 2);
        buf.writeByte(type);
        int lengthAt = buf.writerIndex();
        buf.writeInt(0);
        buf.writeByte('S');
        Wire.writeCString(buf, severity);
        buf.writeByte('V');
        Wire.writeCString(buf, severity);
        buf.writeByte('C');
        Wire.writeCString(buf, sqlState);
        buf.writeByte('M');
        Wire.writeCString(buf, message);
        buf.writeByte(0);
        buf.setInt(lengthAt, buf.writerIndex() - lengthAt);
        return buf;
    }
}
