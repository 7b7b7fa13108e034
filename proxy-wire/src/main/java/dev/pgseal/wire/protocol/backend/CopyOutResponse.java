package dev.pgseal.wire.protocol.backend;

import io.netty.buffer.ByteBuf;

/** CopyOutResponse ('H'): PostgreSQL enters a COPY sub-protocol. */
public final class CopyOutResponse {
    private final CopyResponse layout;

    private CopyOutResponse(CopyResponse layout) {
        this.layout = layout;
    }

    public static CopyOutResponse decode(ByteBuf body) {
        return new CopyOutResponse(CopyResponse.decode(body, "CopyOutResponse"));
    }

    /** 0 textual, 1 binary. */
    public int overallFormat() {
        return layout.overallFormat;
    }

    /** One format code per column. */
    public short[] columnFormats() {
        return layout.columnFormats.clone();
    }
}
