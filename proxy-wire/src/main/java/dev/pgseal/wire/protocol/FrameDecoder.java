package dev.pgseal.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Framing for typed messages (everything after the startup packet): one type byte, an int32 length
 * that counts itself, then the body. Emits whole frames (header included) as retained slices of the
 * input, so relaying copies nothing; parsing is left to the message classes. In batch mode (the
 * relay's) one slice holds every whole frame available from a read, back to back, so that a run of
 * frames can be relayed with one write; walk it with {@link Wire#frameLength(ByteBuf, int)}.
 *
 * <p>A length below 4 or above {@code maxMessageBytes} emits one {@link ProtocolViolation} and
 * discards all further input. The limit may change while the channel lives (the session lowers it
 * until the client is authenticated). Bytes held in a partial message are reserved from a shared
 * {@link BufferBudget}; when the budget is spent the decoder emits one {@link BufferLimitExceeded}
 * and discards all further input.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final boolean batch;
    private final BufferBudget budget;
    private int maxMessageBytes;
    private long reserved;
    private boolean failed;

    /** One frame per emitted buffer. */
    public FrameDecoder(int maxMessageBytes) {
        this(maxMessageBytes, false);
    }

    /**
     * @param maxMessageBytes the largest message length accepted (the length field's value)
     * @param batch whether to emit all whole frames of a read in one buffer
     */
    public FrameDecoder(int maxMessageBytes, boolean batch) {
        this(maxMessageBytes, batch, BufferBudget.UNLIMITED);
    }

    /**
     * @param maxMessageBytes the largest message length accepted (the length field's value)
     * @param batch whether to emit all whole frames of a read in one buffer
     * @param budget where the bytes of partial messages are reserved
     */
    public FrameDecoder(int maxMessageBytes, boolean batch, BufferBudget budget) {
        checkLimit(maxMessageBytes);
        this.maxMessageBytes = maxMessageBytes;
        this.batch = batch;
        this.budget = budget;
    }

    private static void checkLimit(int maxMessageBytes) {
        if (maxMessageBytes < 4) {
            throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: >= 4)");
        }
    }

    /** Changes the largest message accepted from now on. Call on the channel's event loop. */
    public void setMaxMessageBytes(int maxMessageBytes) {
        checkLimit(maxMessageBytes);
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The largest message accepted now. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int batchStart = in.readerIndex();
        while (in.readableBytes() >= Wire.HEADER_BYTES) {
            int start = in.readerIndex();
            int length = in.getInt(start + 1);
            String problem = null;
            if (length < 4) {
                problem = "invalid message length: length: " + length + " (expected: >= 4)";
            } else if (length > maxMessageBytes) {
                problem = "message length " + length + " exceeds limit " + maxMessageBytes;
            }
            if (problem != null) {
                emitBatch(in, batchStart, start, out);
                fail(in, out, problem);
                return;
            }
            int frameBytes = length + 1;
            if (in.readableBytes() < frameBytes) {
                break;
            }
            if (!batch) {
                out.add(in.retainedSlice(start, frameBytes));
            }
            in.skipBytes(frameBytes);
        }
        emitBatch(in, batchStart, in.readerIndex(), out);
        holdPartial(in, out);
    }

    /** Keeps the reservation equal to the bytes of the partial message left in the cumulation. */
    private void holdPartial(ByteBuf in, List<Object> out) {
        long held = in.readableBytes();
        if (held == reserved) {
            return;
        }
        if (held < reserved) {
            budget.release(reserved - held);
            reserved = held;
        } else if (budget.tryReserve(held - reserved)) {
            reserved = held;
        } else {
            failed = true;
            in.skipBytes(in.readableBytes());
            releaseAll();
            out.add(new BufferLimitExceeded("pgseal is out of buffer space for partial messages (limits.max_buffered_bytes: "
                    + budget.max() + ")"));
        }
    }

    private void releaseAll() {
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseAll();
    }

    private void emitBatch(ByteBuf in, int from, int to, List<Object> out) {
        if (batch && to > from) {
            out.add(in.retainedSlice(from, to - from));
        }
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        releaseAll();
        out.add(new ProtocolViolation(message));
    }
}
