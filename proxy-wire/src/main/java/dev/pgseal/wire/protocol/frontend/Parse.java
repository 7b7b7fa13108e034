package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** Parse ('P'): prepares {@code sql} as statement {@code name} ("" is the unnamed statement). */
public final class Parse {
    private final String name;
    private final String sql;
    private final int[] parameterTypes;

    public Parse(String name, String sql, int[] parameterTypes) {
        this.name = name;
        this.sql = sql;
        this.parameterTypes = parameterTypes.clone();
    }

    public static Parse decode(ByteBuf body) {
        String name = Wire.readCString(body);
        String sql = Wire.readCString(body);
        int n = Wire.readCount(body);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = Wire.readInt(body);
        }
        Wire.expectEnd(body, "Parse");
        return new Parse(name, sql, types);
    }

    public String name() {
        return name;
    }

    public String sql() {
        return sql;
    }

    /** The parameter type OIDs the client specified; 0 means unspecified. May be shorter than the parameter count. */
    public int[] parameterTypes() {
        return parameterTypes.clone();
    }
}
