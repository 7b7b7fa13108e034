package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** Query ('Q'): a simple-protocol query string, possibly several statements separated by ';'. */
public record Query(String sql) {
    public static Query decode(ByteBuf body) {
        String sql = Wire.readCString(body);
        Wire.expectEnd(body, "Query");
        return new Query(sql);
    }
}
