package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reading and writing the primitive fields of the PostgreSQL protocol: null-terminated strings
 * (UTF-8; PostgreSQL's {@code client_encoding} is UTF-8 for every client pgseal supports) and
 * length-checked reads that fail with {@link MalformedMessageException} instead of an index error.
 */
public final class Wire {
    /** Size of a message header: one type byte and a 32-bit length that counts itself. */
    public static final int HEADER_BYTES = 5;

    private Wire() {
    }

    /** Reads a null-terminated string and consumes the terminator. */
    public static String readCString(ByteBuf buf) {
        int len = buf.bytesBefore((byte) 0);
        if (len < 0) {
            throw new MalformedMessageException("string without terminator");
        }
        String s = len == 0 ? "" : buf.toString(buf.readerIndex(), len, StandardCharsets.UTF_8);
        buf.skipBytes(len + 1);
        return s;
    }

    /** Writes a string and its terminator. */
    public static void writeCString(ByteBuf buf, String s) {
        buf.writeCharSequence(s, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }

    public static int readInt(ByteBuf buf) {
        need(buf, 4);
        return buf.readInt();
    }

    public static short readShort(ByteBuf buf) {
        need(buf, 2);
        return buf.readShort();
    }

    public static byte readByte(ByteBuf buf) {
        need(buf, 1);
        return buf.readByte();
    }

    /** Reads a count that must not be negative. */
    public static int readCount(ByteBuf buf) {
        int n = readShort(buf) & 0xFFFF;
        return n;
    }

    /** Reads {@code n} bytes into a new array. */
    public static byte[] readBytes(ByteBuf buf, int n) {
        if (n < 0) {
            throw new MalformedMessageException("negative length " + n);
        }
        need(buf, n);
        byte[] b = new byte[n];
        buf.readBytes(b);
        return b;
    }

    /** Reads a value prefixed by an int32 length; -1 is SQL NULL and returns {@code null}. */
    public static byte[] readNullableValue(ByteBuf buf) {
        int n = readInt(buf);
        if (n == -1) {
            return null;
        }
        return readBytes(buf, n);
    }

    /** Fails unless the whole body was consumed. */
    public static void expectEnd(ByteBuf buf, String what) {
        if (buf.isReadable()) {
            throw new MalformedMessageException(what + " has " + buf.readableBytes() + " trailing bytes");
        }
    }

    private static void need(ByteBuf buf, int n) {
        if (buf.readableBytes() < n) {
            throw new MalformedMessageException("truncated message: needs " + n + " more bytes, has "
                    + buf.readableBytes());
        }
    }

    /** The body of a whole frame (type, length, body) as a slice that shares its memory. */
    public static ByteBuf body(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + HEADER_BYTES, frame.readableBytes() - HEADER_BYTES);
    }

    /** The length in bytes (type byte included) of the frame that starts at {@code index}. */
    public static int frameLength(ByteBuf buf, int index) {
        return buf.getInt(index + 1) + 1;
    }

    /** The type byte of a whole frame. */
    public static byte type(ByteBuf frame) {
        return frame.getByte(frame.readerIndex());
    }
}
