package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.FrameDecoder;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The READY phase of a session with both sides on Netty {@link EmbeddedChannel}s: bytes from the
 * client go through a batching FrameDecoder into a {@link ClientRelay}, bytes from PostgreSQL into
 * a {@link BackendRelay}; what the relays write is read back as whole frames. Every input buffer it
 * allocates is kept, so a test can check that all of them were released.
 */
final class SessionHarness implements AutoCloseable {
    final ResponseTracker tracker = new ResponseTracker();
    final EmbeddedChannel toClient = new EmbeddedChannel();
    final EmbeddedChannel toBackend = new EmbeddedChannel();
    final List<String> endings = new ArrayList<>();
    final ClientRelay clientRelay;
    final BackendRelay backendRelay;
    private final EmbeddedChannel fromClient;
    private final EmbeddedChannel fromBackend;
    private final List<ByteBuf> allocated = new ArrayList<>();
    private boolean closed;

    SessionHarness(StatementInterceptor interceptor) {
        RelayOwner owner = new RelayOwner() {
            @Override
            public void violation(String message) {
                endings.add("violation: " + message);
            }

            @Override
            public void internalError(ProtocolMismatchException e) {
                endings.add("internal: " + e.getMessage());
            }

            @Override
            public void hookFailed(RuntimeException e) {
                endings.add("hook failed: " + e);
            }

            @Override
            public void refuseSession(SessionRefusal refusal) {
                endings.add("refused: " + refusal.sqlState() + " " + refusal.message());
            }

            @Override
            public void clientTerminated() {
                endings.add("terminated");
            }

            @Override
            public void sentToBackend(long bytes) {
            }

            @Override
            public void sentToClient(long bytes) {
            }

            @Override
            public void clientInputChanged() {
            }

            @Override
            public void backendInputChanged() {
            }

            @Override
            public void parameterStatus(ParameterStatus status) {
            }

            @Override
            public void backendError(ErrorResponse error) {
            }
        };
        clientRelay = new ClientRelay(toBackend, tracker, interceptor, owner);
        backendRelay = new BackendRelay(toClient, tracker, interceptor, owner, clientRelay);
        fromClient = new EmbeddedChannel(new FrameDecoder(1 << 20, true), handler(clientRelay::onBatch));
        fromBackend = new EmbeddedChannel(new FrameDecoder(1 << 20, true), handler(backendRelay::onBatch));
    }

    private static ChannelInboundHandlerAdapter handler(Consumer<ByteBuf> sink) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                sink.accept((ByteBuf) msg);
            }
        };
    }

    /** The client sends {@code bytes}, delivered in reads split at {@code splits} (increasing offsets). */
    void client(byte[] bytes, int... splits) {
        feed(fromClient, bytes, splits);
    }

    /** PostgreSQL sends {@code bytes}, split like {@link #client}. */
    void backend(byte[] bytes, int... splits) {
        feed(fromBackend, bytes, splits);
    }

    private void feed(EmbeddedChannel channel, byte[] bytes, int[] splits) {
        int from = 0;
        for (int i = 0; i <= splits.length; i++) {
            int to = i < splits.length ? splits[i] : bytes.length;
            if (to > from) {
                ByteBuf b = Unpooled.buffer(to - from).writeBytes(bytes, from, to - from);
                allocated.add(b);
                channel.writeInbound(b);
            }
            from = to;
        }
        runPendingTasks();
    }

    /** Runs the tasks queued on the event loop (resumptions after a suspended step). */
    void runPendingTasks() {
        toBackend.runPendingTasks();
        toClient.runPendingTasks();
    }

    /** The frames sent to PostgreSQL since the last call, as "type:text" (bodies with NULs as '|'). */
    List<String> sentToBackend() {
        return drain(toBackend);
    }

    /** The frames sent to the client since the last call. */
    List<String> sentToClient() {
        return drain(toClient);
    }

    private static List<String> drain(EmbeddedChannel ch) {
        ch.flushOutbound();
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        List<String> frames = new ArrayList<>();
        while (all.isReadable()) {
            int len = Wire.frameLength(all, all.readerIndex());
            char type = (char) all.readByte();
            all.skipBytes(4);
            byte[] body = new byte[len - 5];
            all.readBytes(body);
            frames.add(type + ":" + new String(body, java.nio.charset.StandardCharsets.UTF_8).replace('\0', '|'));
        }
        all.release();
        return frames;
    }

    /** Input buffers not yet released (a leak once the test is done). */
    long unreleased() {
        return allocated.stream().filter(b -> b.refCnt() != 0).count();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clientRelay.close();
        backendRelay.close();
        toClient.flushOutbound();
        toBackend.flushOutbound();
        fromClient.finishAndReleaseAll();
        fromBackend.finishAndReleaseAll();
        toClient.finishAndReleaseAll();
        toBackend.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------- frames

    static byte[] frames(ByteBuf... frames) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf f : frames) {
            all.writeBytes(f);
            f.release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }

    static ByteBuf error(String sqlState) {
        return dev.pgseal.wire.protocol.ErrorResponses.error(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, sqlState, "failed");
    }

    static ByteBuf ready(char status) {
        return new dev.pgseal.wire.protocol.backend.ReadyForQuery(status).encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
    }

    static ByteBuf empty(char type) {
        return dev.pgseal.wire.protocol.FrameWriter.empty(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, type);
    }
}
