package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** ParameterDescription ('t'): the type OIDs of a prepared statement's parameters. */
public final class ParameterDescription {
    private final int[] typeOids;

    public ParameterDescription(int[] typeOids) {
        this.typeOids = typeOids.clone();
    }

    public static ParameterDescription decode(ByteBuf body) {
        int n = Wire.readCount(body);
        int[] oids = new int[n];
        for (int i = 0; i < n; i++) {
            oids[i] = Wire.readInt(body);
        }
        Wire.expectEnd(body, "ParameterDescription");
        return new ParameterDescription(oids);
    }

    public int[] typeOids() {
        return typeOids.clone();
    }
}
