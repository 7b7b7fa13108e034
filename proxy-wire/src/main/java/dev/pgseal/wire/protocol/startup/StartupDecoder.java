package dev.pgseal.wire.protocol.startup;

import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The one-shot decoder of the startup phase: turns the untyped packets a client sends before its
 * StartupMessage into {@link StartupPacket}s. It removes itself from the pipeline after a
 * StartupMessage or CancelRequest; whatever bytes follow go to the next handler (the typed-message
 * {@link dev.pgseal.wire.protocol.FrameDecoder}, which the session adds before this one is gone).
 *
 * <p>Checked limits (as PostgreSQL's): a packet is 8 to 10,000 bytes. After SSLRequest or
 * GSSENCRequest the client must wait for the answer: bytes already buffered behind such a request
 * would bypass the encryption about to start, so they are a protocol violation (CVE-2021-23214).
 * Any violation emits one {@link ProtocolViolation} and discards all further input.
 */
public final class StartupDecoder extends ByteToMessageDecoder {
    /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
    public static final int MAX_STARTUP_PACKET_BYTES = 10_000;

    private final FollowUp followUp;
    private boolean failed;

    /** What the owner does once the last startup packet is decoded, before this decoder leaves. */
    @FunctionalInterface
    public interface FollowUp {
        /** Called with the pipeline context of this decoder; typically adds the frame decoder after it. */
        void beforeRemoval(ChannelHandlerContext ctx);
    }

    public StartupDecoder(FollowUp followUp) {
        this.followUp = followUp;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 8) {
            if (in.readableBytes() >= 4) {
                int length = in.getInt(in.readerIndex());
                if (length < 8 || length > MAX_STARTUP_PACKET_BYTES) {
                    fail(in, out, lengthMessage(length));
                }
            }
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < 8 || length > MAX_STARTUP_PACKET_BYTES) {
            fail(in, out, lengthMessage(length));
            return;
        }
        if (in.readableBytes() < length) {
            return;
        }
        int code = in.getInt(start + 4);
        ByteBuf body = in.slice(start + 8, length - 8);
        in.skipBytes(length);
        switch (code) {
            case StartupPacket.SSL_REQUEST_CODE, StartupPacket.GSSENC_REQUEST_CODE -> {
                if (length != 8) {
                    fail(in, out, "invalid length of encryption request: length: " + length + " (expected: 8)");
                } else if (in.isReadable()) {
                    fail(in, out, "received unencrypted data after encryption request");
                } else {
                    out.add(code == StartupPacket.SSL_REQUEST_CODE ? SslRequest.INSTANCE : GssEncRequest.INSTANCE);
                }
            }
            case StartupPacket.CANCEL_REQUEST_CODE -> {
                int secretBytes = length - 12;
                if (secretBytes < 4 || secretBytes > CancelRequest.MAX_SECRET_BYTES) {
                    fail(in, out, "invalid length of cancel request: length: " + length + " (expected: 16..268)");
                    return;
                }
                int pid = body.readInt();
                byte[] secret = new byte[secretBytes];
                body.readBytes(secret);
                out.add(new CancelRequest(pid, secret));
                leave(ctx, in);
            }
            default -> {
                if ((code >>> 16) != 3) {
                    fail(in, out, "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF)
                            + ": server supports 3.0 to 3.2");
                    return;
                }
                StartupMessage message;
                try {
                    message = StartupMessage.decodeParameters(code, body);
                } catch (MalformedMessageException e) {
                    fail(in, out, "invalid startup packet layout: " + e.getMessage());
                    return;
                }
                out.add(message);
                leave(ctx, in);
            }
        }
    }

    private void leave(ChannelHandlerContext ctx, ByteBuf in) {
        failed = true; // nothing more is decoded here, whatever happens
        followUp.beforeRemoval(ctx);
        ctx.pipeline().remove(this);
    }

    private static String lengthMessage(int length) {
        return "invalid length of startup packet: length: " + length + " (expected: >= 8 and <= "
                + MAX_STARTUP_PACKET_BYTES + ")";
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new ProtocolViolation(message));
    }
}
