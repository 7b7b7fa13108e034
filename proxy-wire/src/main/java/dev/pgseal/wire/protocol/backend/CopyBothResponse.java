package dev.pgseal.wire.protocol.backend;

import io.netty.buffer.ByteBuf;

/** CopyBothResponse ('W'): PostgreSQL enters a COPY sub-protocol. */
public final class CopyBothResponse {
    private final CopyResponse layout;

    private CopyBothResponse(CopyResponse layout) {
        this.layout = layout;
    }

    public static CopyBothResponse decode(ByteBuf body) {
        return new CopyBothResponse(CopyResponse.decode(body, "CopyBothResponse"));
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
