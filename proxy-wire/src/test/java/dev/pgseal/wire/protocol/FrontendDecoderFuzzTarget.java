package dev.pgseal.wire.protocol;

import dev.pgseal.wire.protocol.frontend.FrontendMessages;
import dev.pgseal.wire.protocol.startup.StartupDecoder;
import dev.pgseal.wire.protocol.startup.StartupPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Fuzz target of the frontend decoding path as a client drives it: the startup decoder, the frame
 * decoder that replaces it, and the message classes. For any input: nothing but startup packets,
 * whole frames and at most one {@link ProtocolViolation} (the last thing emitted) come out; message
 * decoding fails only with {@link MalformedMessageException}; every buffer is released. Usable by
 * Jazzer as is ({@link #fuzzerTestOneInput(byte[])}).
 */
public final class FrontendDecoderFuzzTarget {
    /** Limit for the frame decoder: small, so that length checks are reached. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private FrontendDecoderFuzzTarget() {
    }

    /** Jazzer's entry point. */
    public static void fuzzerTestOneInput(byte[] data) {
        fuzz(data);
    }

    /** Runs one input, split in chunks at positions derived from the input, and checks the invariants. */
    public static void fuzz(byte[] data) {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder(
                ctx -> ctx.pipeline().addAfter(ctx.name(), "frames", new FrameDecoder(MAX_MESSAGE_BYTES, true))));
        ByteBuf input = Unpooled.buffer(data.length).writeBytes(data);
        int chunk = data.length == 0 ? 1 : 1 + (data[0] & 0x3f);
        boolean violated = false;
        try {
            while (input.isReadable()) {
                ch.writeInbound(input.readRetainedSlice(Math.min(chunk, input.readableBytes())));
                violated = drain(ch, violated);
            }
            if (ch.finish()) {
                violated = drain(ch, violated);
            }
        } finally {
            input.release();
            ch.finishAndReleaseAll();
        }
        if (input.refCnt() != 0) {
            throw new AssertionError("input buffer leaked: refCnt " + input.refCnt());
        }
    }

    private static boolean drain(EmbeddedChannel ch, boolean violated) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            try {
                if (violated) {
                    throw new AssertionError("output after a protocol violation: " + msg);
                }
                if (msg instanceof ProtocolViolation) {
                    violated = true;
                } else if (msg instanceof ByteBuf frames) {
                    checkFrames(frames);
                } else if (!(msg instanceof StartupPacket)) {
                    throw new AssertionError("unexpected output " + msg.getClass());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return violated;
    }

    /** Walks a batch of whole frames as the session does, and decodes each. */
    private static void checkFrames(ByteBuf frames) {
        int at = frames.readerIndex();
        int end = frames.writerIndex();
        if (at == end) {
            throw new AssertionError("empty batch");
        }
        while (at < end) {
            if (end - at < Wire.HEADER_BYTES) {
                throw new AssertionError("partial frame header in a batch");
            }
            int length = frames.getInt(at + 1);
            if (length < 4 || length > MAX_MESSAGE_BYTES || at + length + 1 > end) {
                throw new AssertionError("bad frame length " + length + " at " + at + " of " + end);
            }
            try {
                FrontendMessages.decode(frames.slice(at, length + 1));
            } catch (MalformedMessageException expected) {
                // the session answers these with 08P01
            }
            at += length + 1;
        }
    }
}
