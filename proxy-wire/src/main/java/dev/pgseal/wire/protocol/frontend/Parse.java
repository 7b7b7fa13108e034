package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Parse ('P'): prepares {@code sql} as statement {@code name} ("" is the unnamed statement).
 * {@link #sqlBytes()} gives the text as the client sent it, for decoding with the session's real
 * {@code client_encoding}.
 */
public final class Parse {
    private final String name;
    private final String sql;
    private final byte[] sqlBytes;
    private final int[] parameterTypes;

    public Parse(String name, String sql, int[] parameterTypes) {
        this(name, sql, sql.getBytes(StandardCharsets.UTF_8), parameterTypes.clone());
    }

    private Parse(String name, String sql, byte[] sqlBytes, int[] parameterTypes) {
        this.name = name;
        this.sql = sql;
        this.sqlBytes = sqlBytes;
        this.parameterTypes = parameterTypes;
    }

    public static Parse decode(ByteBuf body) {
        String name = Wire.readCString(body);
        byte[] raw = Query.readCStringBytes(body);
        int n = Wire.readCount(body);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = Wire.readInt(body);
        }
        Wire.expectEnd(body, "Parse");
        return new Parse(name, new String(raw, StandardCharsets.UTF_8), raw, types);
    }

    public String name() {
        return name;
    }

    /** The text, read as UTF-8. */
    public String sql() {
        return sql;
    }

    /** A copy of the text's bytes as the client sent them (no terminator). */
    public byte[] sqlBytes() {
        return sqlBytes.clone();
    }

    /** The parameter type OIDs the client specified; 0 means unspecified. May be shorter than the parameter count. */
    public int[] parameterTypes() {
        return parameterTypes.clone();
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'P', name.length() * 3 + sqlBytes.length + 4 + parameterTypes.length * 4);
        Wire.writeCString(b, name);
        FrameWriter.writeCString(b, sqlBytes);
        b.writeShort(parameterTypes.length);
        for (int t : parameterTypes) {
            b.writeInt(t);
        }
        return FrameWriter.finish(b);
    }
}
