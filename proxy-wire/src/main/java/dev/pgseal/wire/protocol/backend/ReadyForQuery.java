package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;

/** ReadyForQuery ('Z'): transaction status {@code 'I'} idle, {@code 'T'} in a transaction, {@code 'E'} failed. */
public record ReadyForQuery(char transactionStatus) {
    public static ReadyForQuery decode(ByteBuf body) {
        char status = (char) Wire.readByte(body);
        if (status != 'I' && status != 'T' && status != 'E') {
            throw new MalformedMessageException("invalid transaction status " + (int) status);
        }
        Wire.expectEnd(body, "ReadyForQuery");
        return new ReadyForQuery(status);
    }

    /** The whole frame. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        return FrameWriter.start(alloc, 'Z', 1).writeByte(transactionStatus).setInt(1, 5);
    }
}
