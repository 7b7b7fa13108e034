package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes whole frames (type byte, int32 length that counts itself, body) for the messages pgseal
 * produces: {@link #start} reserves the length, {@link #finish} fills it in once the body is written.
 */
public final class FrameWriter {
    private FrameWriter() {
    }

    /** A new buffer holding the type byte and a placeholder length. */
    public static ByteBuf start(ByteBufAllocator alloc, char type, int bodyHint) {
        ByteBuf buf = alloc.buffer(Wire.HEADER_BYTES + Math.max(0, bodyHint));
        buf.writeByte(type).writeInt(0);
        return buf;
    }

    /** Fills in the length of the frame that starts at the buffer's reader index and returns the buffer. */
    public static ByteBuf finish(ByteBuf frame) {
        frame.setInt(frame.readerIndex() + 1, frame.writerIndex() - frame.readerIndex() - 1);
        return frame;
    }

    /** A frame with no body (Sync, Flush, ParseComplete, …). */
    public static ByteBuf empty(ByteBufAllocator alloc, char type) {
        return alloc.buffer(Wire.HEADER_BYTES).writeByte(type).writeInt(4);
    }

    /** Writes a string's bytes and a terminator; the bytes must not contain NUL. */
    public static void writeCString(ByteBuf buf, byte[] bytes) {
        buf.writeBytes(bytes).writeByte(0);
    }
}
