package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Query ('Q'): a simple-protocol query string, possibly several statements separated by ';'.
 * {@link #sql()} reads the bytes as UTF-8; {@link #sqlBytes()} gives them as the client sent them,
 * for a reader that decodes them with the session's real {@code client_encoding}.
 */
public final class Query {
    private final String sql;
    private final byte[] sqlBytes;

    /** A query whose text is sent as UTF-8. */
    public Query(String sql) {
        this.sql = sql;
        this.sqlBytes = sql.getBytes(StandardCharsets.UTF_8);
    }

    private Query(String sql, byte[] sqlBytes) {
        this.sql = sql;
        this.sqlBytes = sqlBytes;
    }

    public static Query decode(ByteBuf body) {
        byte[] raw = readCStringBytes(body);
        Wire.expectEnd(body, "Query");
        return new Query(new String(raw, StandardCharsets.UTF_8), raw);
    }

    /** Reads a null-terminated string's bytes and consumes the terminator. */
    static byte[] readCStringBytes(ByteBuf body) {
        int len = body.bytesBefore((byte) 0);
        if (len < 0) {
            throw new dev.pgseal.wire.protocol.MalformedMessageException("string without terminator");
        }
        byte[] raw = new byte[len];
        body.readBytes(raw);
        body.skipBytes(1);
        return raw;
    }

    /** The text, read as UTF-8. */
    public String sql() {
        return sql;
    }

    /** A copy of the text's bytes as the client sent them (no terminator). */
    public byte[] sqlBytes() {
        return sqlBytes.clone();
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = FrameWriter.start(alloc, 'Q', sqlBytes.length + 1);
        FrameWriter.writeCString(b, sqlBytes);
        return FrameWriter.finish(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Query q && Arrays.equals(sqlBytes, q.sqlBytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sqlBytes);
    }

    @Override
    public String toString() {
        return "Query[" + sqlBytes.length + " bytes]";
    }
}
