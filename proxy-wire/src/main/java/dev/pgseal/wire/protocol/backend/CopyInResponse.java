package dev.pgseal.wire.protocol.backend;

import io.netty.buffer.ByteBuf;

/** CopyInResponse ('G'): PostgreSQL enters a COPY sub-protocol. */
public final class CopyInResponse {
    private final CopyResponse layout;

    private CopyInResponse(CopyResponse layout) {
        this.layout = layout;
    }

    public static CopyInResponse decode(ByteBuf body) {
        return new CopyInResponse(CopyResponse.decode(body, "CopyInResponse"));
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
