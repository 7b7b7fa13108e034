package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** FunctionCallResponse ('V'): the result of a FunctionCall, {@code null} for SQL NULL. */
public final class FunctionCallResponse {
    private final byte[] value;

    private FunctionCallResponse(byte[] value) {
        this.value = value;
    }

    public static FunctionCallResponse decode(ByteBuf body) {
        byte[] value = Wire.readNullableValue(body);
        Wire.expectEnd(body, "FunctionCallResponse");
        return new FunctionCallResponse(value);
    }

    public byte[] value() {
        return value == null ? null : value.clone();
    }
}
