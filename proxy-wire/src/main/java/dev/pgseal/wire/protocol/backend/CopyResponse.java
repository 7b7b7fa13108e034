package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** The shared layout of CopyInResponse, CopyOutResponse and CopyBothResponse. */
final class CopyResponse {
    final int overallFormat;
    final short[] columnFormats;

    private CopyResponse(int overallFormat, short[] columnFormats) {
        this.overallFormat = overallFormat;
        this.columnFormats = columnFormats;
    }

    static CopyResponse decode(ByteBuf body, String what) {
        int format = Wire.readByte(body);
        int n = Wire.readCount(body);
        short[] formats = new short[n];
        for (int i = 0; i < n; i++) {
            formats[i] = Wire.readShort(body);
        }
        Wire.expectEnd(body, what);
        return new CopyResponse(format, formats);
    }
}
