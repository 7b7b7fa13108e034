package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;

/** CopyData ('d'), same format in both directions: a chunk of the COPY stream. */
public final class CopyData {
    private final byte[] data;

    private CopyData(byte[] data) {
        this.data = data;
    }

    /** Decodes a body (the bytes after the length). */
    public static CopyData decode(ByteBuf body) {
        return new CopyData(Wire.readBytes(body, body.readableBytes()));
    }

    public byte[] data() {
        return data.clone();
    }

    public int size() {
        return data.length;
    }
}
