package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.protocol.ErrorResponses;
import dev.pgseal.wire.protocol.FrameDecoder;
import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.ProtocolViolation;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.backend.AuthenticationSasl;
import dev.pgseal.wire.protocol.backend.BackendKeyData;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.protocol.startup.CancelRequest;
import dev.pgseal.wire.protocol.startup.GssEncRequest;
import dev.pgseal.wire.protocol.startup.SslRequest;
import dev.pgseal.wire.protocol.startup.StartupDecoder;
import dev.pgseal.wire.protocol.startup.StartupMessage;
import dev.pgseal.wire.protocol.startup.StartupPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client session: the client channel, its own backend connection (opened on the client's event
 * loop, so the whole session runs on one thread without locks), the state machine of the startup
 * and authentication phases, and the FIFO ({@link ResponseTracker}) that matches every backend
 * message to the frontend message it answers. Frames are relayed as they are; only the type byte
 * is read on the hot path, and message content is decoded where pgseal needs it.
 */
public final class ProxySession implements SessionInfo {
    private static final Logger LOG = LoggerFactory.getLogger(ProxySession.class);

    /** Seconds a new connection has to send its StartupMessage (or CancelRequest). */
    static final long STARTUP_TIMEOUT_SECONDS = 60;

    private enum State { STARTUP, CONNECTING, AUTHENTICATING, READY, CLOSED }

    private final ServerContext server;
    private final Channel client;
    private final ResponseTracker tracker = new ResponseTracker();
    private Channel backend;
    private State state = State.STARTUP;
    private StatementInterceptor interceptor = StatementInterceptor.NONE;
    private boolean intercepting;
    private StartupMessage startup;
    private boolean admitted;
    private boolean clientTls;
    private BackendKeyData issuedKey;
    private Map<String, String> serverParameters = Map.of();
    private long openedNanos;
    private long bytesIn;
    private long bytesOut;
    private boolean clientFlushPending;
    private boolean backendFlushPending;
    private boolean backendSentFatal;
    private int clientRunStart;
    private int backendRunStart;
    private io.netty.util.concurrent.ScheduledFuture<?> startupTimeout;

    private ProxySession(ServerContext server, Channel client) {
        this.server = server;
        this.client = client;
    }

    /** Sets up a newly accepted client connection. */
    public static void install(ServerContext server, Channel client) {
        ProxySession session = new ProxySession(server, client);
        int maxMessageBytes = server.config().limits().maxMessageBytes();
        client.pipeline().addLast("startup", new StartupDecoder(
                ctx -> ctx.pipeline().addAfter(ctx.name(), "frames", new FrameDecoder(maxMessageBytes, true))));
        client.pipeline().addLast("session", session.new ClientHandler());
        server.clientChannels().add(client);
        session.startupTimeout = client.eventLoop().schedule(session::startupTimedOut, STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Like PostgreSQL's authentication_timeout: a client that never sends its StartupMessage is dropped. */
    private void startupTimedOut() {
        if (state == State.STARTUP && client.isActive()) {
            LOG.warn("client={} sent no startup message within {} s", client.remoteAddress(), STARTUP_TIMEOUT_SECONDS);
            fatalAndClose("08P01", "no startup message within " + STARTUP_TIMEOUT_SECONDS + " s");
        }
    }

    // ---------------------------------------------------------------- SessionInfo

    @Override
    public String user() {
        return startup == null ? "" : startup.user();
    }

    @Override
    public String database() {
        return startup == null ? "" : startup.database();
    }

    @Override
    public String applicationName() {
        return startup == null ? "" : startup.applicationName();
    }

    @Override
    public Map<String, String> startupParameters() {
        return startup == null ? Map.of() : startup.parameters();
    }

    @Override
    public String serverParameter(String name) {
        return serverParameters.get(name);
    }

    @Override
    public SocketAddress clientAddress() {
        return client.remoteAddress();
    }

    @Override
    public boolean clientTls() {
        return clientTls;
    }

    // ---------------------------------------------------------------- startup phase

    private void onStartupPacket(StartupPacket packet) {
        if (state != State.STARTUP) {
            violation("unexpected startup packet");
            return;
        }
        if (packet instanceof SslRequest) {
            if (server.clientTls() != null && !clientTls) {
                client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
                client.pipeline().addFirst("tls", server.clientTls().newHandler(client.alloc()));
                clientTls = true;
            } else {
                client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            }
        } else if (packet instanceof GssEncRequest) {
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        } else if (packet instanceof CancelRequest r) {
            forwardCancel(r);
        } else if (packet instanceof StartupMessage m) {
            onStartupMessage(m);
        }
    }

    private void forwardCancel(CancelRequest request) {
        state = State.CLOSED;
        startupTimeout.cancel(false);
        client.close();
        Optional<BackendKeyData> real = server.cancelKeys().resolve(request.processId(), request.secret());
        if (real.isEmpty()) {
            LOG.debug("cancel request from {} with an unknown key ignored", client.remoteAddress());
            return;
        }
        BackendKeyData key = real.get();
        server.upstream().connect(client.eventLoop()).addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = (Channel) f.getNow();
                ch.writeAndFlush(new CancelRequest(key.processId(), key.secret()).encode(ch.alloc()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                LOG.warn("cancel request not delivered: {}", f.cause().getMessage());
            }
        });
    }

    private void onStartupMessage(StartupMessage message) {
        startup = message;
        startupTimeout.cancel(false);
        if (server.config().tls().mode() == ServerConfig.ClientTlsMode.REQUIRE && !clientTls) {
            LOG.info("rejected client={} user={} database={}: TLS required", client.remoteAddress(), user(), database());
            fatalAndClose("28000", "pgseal requires TLS");
            return;
        }
        if (!server.tryAdmit()) {
            LOG.warn("rejected client={} user={} database={}: max_client_connections ({}) reached",
                    client.remoteAddress(), user(), database(), server.config().limits().maxClientConnections());
            fatalAndClose("53300", "sorry, too many clients already");
            return;
        }
        admitted = true;
        openedNanos = System.nanoTime();
        LOG.info("session open client={} user={} database={} application_name={} tls={}",
                client.remoteAddress(), user(), database(), applicationName(), clientTls);
        state = State.CONNECTING;
        client.config().setAutoRead(false);
        server.upstream().connect(client.eventLoop()).addListener(f -> {
            if (state == State.CLOSED) {
                if (f.isSuccess()) {
                    ((Channel) f.getNow()).close();
                }
                return;
            }
            if (!f.isSuccess()) {
                LOG.warn("client={}: {}", client.remoteAddress(), f.cause().getMessage());
                fatalAndClose("08006", "pgseal: " + f.cause().getMessage());
                return;
            }
            backend = (Channel) f.getNow();
            backend.pipeline().addLast("frames", new FrameDecoder(ProxyLimits.MAX_BACKEND_MESSAGE_BYTES, true));
            backend.pipeline().addLast("session", new BackendHandler());
            state = State.AUTHENTICATING;
            backend.writeAndFlush(startup.encode(backend.alloc()));
            updateClientAutoRead();
        });
    }

    // ---------------------------------------------------------------- client → PostgreSQL
    //
    // A batch is a buffer of whole frames back to back (FrameDecoder in batch mode). Frames relayed
    // as they are stay in a "run" that goes out as one slice; a frame that must be replaced or
    // dropped first sends the run before it. Frames are read in place (buffer, index, length):
    // nothing is allocated for a frame no one needs to inspect.

    private void onClientBatch(ByteBuf batch) {
        int at = batch.readerIndex();
        int end = batch.writerIndex();
        clientRunStart = at;
        try {
            while (at < end) {
                int len = Wire.frameLength(batch, at);
                if (!onClientFrame(batch, at, len)) {
                    return;
                }
                at += len;
            }
            relayClientRun(batch, end);
        } finally {
            batch.release();
        }
    }

    /** Sends the frames from the run start up to {@code upTo} (exclusive) to PostgreSQL as one buffer. */
    private void relayClientRun(ByteBuf batch, int upTo) {
        if (upTo > clientRunStart && backend != null) {
            ByteBuf run = batch.retainedSlice(clientRunStart, upTo - clientRunStart);
            bytesIn += run.readableBytes();
            backend.write(run, backend.voidPromise());
            backendFlushPending = true;
        }
        clientRunStart = upTo;
    }

    /** Handles one client frame; returns false when the session stops reading this batch. */
    private boolean onClientFrame(ByteBuf batch, int at, int len) {
        byte type = batch.getByte(at);
        switch (state) {
            case READY -> {
                return onReadyClientFrame(batch, at, len, type);
            }
            case AUTHENTICATING -> {
                if (type == 'p') {
                    return true;
                }
                if (type == 'X') {
                    relayClientRun(batch, at + len);
                    close("client terminated");
                    return false;
                }
                relayClientRun(batch, at);
                violation("unexpected message type " + FrontendMessageType.describe(type) + " during authentication");
                return false;
            }
            case CLOSED -> {
                return false;
            }
            default -> {
                violation("unexpected message type " + FrontendMessageType.describe(type) + " before authentication");
                return false;
            }
        }
    }

    private boolean onReadyClientFrame(ByteBuf batch, int at, int len, byte type) {
        FrontendMessageType t = FrontendMessageType.of(type);
        int body = at + Wire.HEADER_BYTES;
        int end = at + len;
        try {
            if (t == null || t == FrontendMessageType.PASSWORD) {
                throw new MalformedMessageException("invalid frontend message type " + FrontendMessageType.describe(type));
            }
            PendingResponse entry;
            switch (t) {
                case QUERY -> {
                    entry = tracker.onFrontend(t, ' ', null, null);
                    if (intercepting) {
                        replace(batch, at, len, interceptor.onQuery(Query.decode(batch.slice(body, len - Wire.HEADER_BYTES)), entry));
                    }
                }
                case PARSE -> {
                    entry = tracker.onFrontend(t, ' ', cstringAt(batch, body, end), null);
                    if (intercepting) {
                        replace(batch, at, len, interceptor.onParse(Parse.decode(batch.slice(body, len - Wire.HEADER_BYTES)), entry));
                    }
                }
                case BIND -> {
                    int statementAt = batch.indexOf(body, end, (byte) 0) + 1;
                    if (statementAt <= 0) {
                        throw new MalformedMessageException("string without terminator");
                    }
                    entry = tracker.onFrontend(t, ' ', cstringAt(batch, body, end), cstringAt(batch, statementAt, end));
                    if (intercepting) {
                        replace(batch, at, len, interceptor.onBind(Bind.decode(batch.slice(body, len - Wire.HEADER_BYTES)), entry));
                    }
                }
                case DESCRIBE, CLOSE -> {
                    if (len < Wire.HEADER_BYTES + 2) {
                        throw new MalformedMessageException("truncated message");
                    }
                    char target = (char) batch.getByte(body);
                    if (target != 'S' && target != 'P') {
                        throw new MalformedMessageException("invalid " + t + " message subtype " + (int) target);
                    }
                    tracker.onFrontend(t, target, cstringAt(batch, body + 1, end), null);
                }
                case EXECUTE -> tracker.onFrontend(t, ' ', cstringAt(batch, body, end), null);
                case TERMINATE -> {
                    relayClientRun(batch, end);
                    close("client terminated");
                    return false;
                }
                default -> tracker.onFrontend(t, ' ', null, null);
            }
            return true;
        } catch (MalformedMessageException e) {
            relayClientRun(batch, at);
            violation(e.getMessage().startsWith("invalid frontend message type") ? e.getMessage()
                    : "invalid message format: " + e.getMessage());
            return false;
        } catch (RuntimeException e) {
            relayClientRun(batch, at);
            hookFailed(e);
            return false;
        }
    }

    /** Sends {@code replacement} (from an interceptor) instead of the client's frame at {@code at}, if not null. */
    private void replace(ByteBuf batch, int at, int len, ByteBuf replacement) {
        if (replacement == null) {
            return;
        }
        relayClientRun(batch, at);
        clientRunStart = at + len;
        bytesIn += replacement.readableBytes();
        backend.write(replacement, backend.voidPromise());
        backendFlushPending = true;
    }

    /** The null-terminated string at {@code offset}, before {@code end}; "" without allocating when empty. */
    private static String cstringAt(ByteBuf buf, int offset, int end) {
        if (offset >= end) {
            throw new MalformedMessageException("truncated message");
        }
        if (buf.getByte(offset) == 0) {
            return "";
        }
        int nul = buf.indexOf(offset, end, (byte) 0);
        if (nul < 0) {
            throw new MalformedMessageException("string without terminator");
        }
        return buf.toString(offset, nul - offset, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- PostgreSQL → client

    private void onBackendBatch(ByteBuf batch) {
        int at = batch.readerIndex();
        int end = batch.writerIndex();
        backendRunStart = at;
        try {
            while (at < end) {
                int len = Wire.frameLength(batch, at);
                boolean go = switch (state) {
                    case READY -> onReadyBackendFrame(batch, at, len);
                    case AUTHENTICATING -> onAuthenticationFrame(batch, at, len);
                    default -> false;
                };
                if (!go) {
                    return;
                }
                at += len;
            }
            relayBackendRun(batch, end);
        } finally {
            batch.release();
        }
    }

    /** Sends the frames from the run start up to {@code upTo} (exclusive) to the client as one buffer. */
    private void relayBackendRun(ByteBuf batch, int upTo) {
        if (upTo > backendRunStart) {
            toClient(batch.retainedSlice(backendRunStart, upTo - backendRunStart));
        }
        backendRunStart = upTo;
    }

    /** Sends {@code replacement} instead of the frame at {@code at}. */
    private void replaceBackendFrame(ByteBuf batch, int at, int len, ByteBuf replacement) {
        relayBackendRun(batch, at);
        toClient(replacement);
        backendRunStart = at + len;
    }

    private boolean onAuthenticationFrame(ByteBuf batch, int at, int len) {
        byte type = batch.getByte(at);
        ByteBuf body = batch.slice(at + Wire.HEADER_BYTES, len - Wire.HEADER_BYTES);
        try {
            switch (type) {
                case 'R' -> {
                    if (len >= 9 && batch.getInt(at + Wire.HEADER_BYTES) == AuthenticationSasl.CODE) {
                        AuthenticationSasl offer = AuthenticationSasl.decode(body);
                        replaceBackendFrame(batch, at, len, offer.withoutChannelBinding().encode(client.alloc()));
                    }
                }
                case 'K' -> {
                    BackendKeyData real = BackendKeyData.decode(body);
                    if (issuedKey != null) {
                        server.cancelKeys().revoke(issuedKey);
                    }
                    issuedKey = server.cancelKeys().issue(real);
                    replaceBackendFrame(batch, at, len, issuedKey.encode(client.alloc()));
                }
                case 'S' -> recordParameterStatus(body);
                case 'E' -> noteBackendError(body);
                case 'Z' -> {
                    state = State.READY;
                    interceptor = server.hooks().openSession(this);
                    intercepting = interceptor != StatementInterceptor.NONE;
                    if (intercepting) {
                        tracker.propagateAttachments();
                    }
                }
                case 'v', 'N' -> {
                }
                default -> throw new ProtocolMismatchException("unexpected backend message "
                        + FrontendMessageType.describe(type) + " during authentication");
            }
            return true;
        } catch (MalformedMessageException e) {
            relayBackendRun(batch, at);
            internalError(new ProtocolMismatchException("malformed backend message during authentication: " + e.getMessage()));
            return false;
        } catch (ProtocolMismatchException e) {
            relayBackendRun(batch, at);
            internalError(e);
            return false;
        } catch (RuntimeException e) {
            relayBackendRun(batch, at);
            hookFailed(e);
            return false;
        }
    }

    private boolean onReadyBackendFrame(ByteBuf batch, int at, int len) {
        byte type = batch.getByte(at);
        try {
            PendingResponse entry = tracker.onBackend(type);
            switch (type) {
                case 'D' -> {
                    if (intercepting && entry != null && entry.attachment() != null) {
                        relayBackendRun(batch, at);
                        backendRunStart = at + len;
                        toClient(interceptor.onDataRow(batch.retainedSlice(at, len), entry));
                    }
                }
                case 'T' -> {
                    if (intercepting && entry != null) {
                        interceptor.onRowDescription(RowDescription.decode(body(batch, at, len)), entry);
                    }
                }
                case 'Z' -> {
                    if (len >= 6) {
                        tracker.onTransactionStatus((char) batch.getByte(at + Wire.HEADER_BYTES));
                    }
                }
                case 'C' -> noteCommandTag(batch, at, len);
                case 'S' -> recordParameterStatus(body(batch, at, len));
                case 'E' -> noteBackendError(body(batch, at, len));
                default -> {
                }
            }
            return true;
        } catch (ProtocolMismatchException e) {
            relayBackendRun(batch, at);
            internalError(e);
            return false;
        } catch (MalformedMessageException e) {
            relayBackendRun(batch, at);
            internalError(new ProtocolMismatchException("malformed backend message: " + e.getMessage()));
            return false;
        } catch (RuntimeException e) {
            relayBackendRun(batch, at);
            hookFailed(e);
            return false;
        }
    }

    private static ByteBuf body(ByteBuf batch, int at, int len) {
        return batch.slice(at + Wire.HEADER_BYTES, len - Wire.HEADER_BYTES);
    }

    private void noteCommandTag(ByteBuf batch, int at, int len) {
        int tag = at + Wire.HEADER_BYTES;
        if (len > Wire.HEADER_BYTES + 2 && batch.getByte(tag) == 'D'
                && (batch.getByte(tag + 1) == 'I' || batch.getByte(tag + 1) == 'E' && batch.getByte(tag + 2) == 'A')) {
            String text = cstringAt(batch, tag, at + len);
            if (text.equals("DISCARD ALL") || text.equals("DEALLOCATE ALL")) {
                tracker.onAllStatementsDeallocated();
            }
        }
    }

    private void recordParameterStatus(ByteBuf body) {
        ParameterStatus status = ParameterStatus.decode(body);
        if (serverParameters.isEmpty()) {
            serverParameters = new HashMap<>();
        }
        serverParameters.put(status.name(), status.value());
    }

    private void noteBackendError(ByteBuf body) {
        ErrorResponse error = ErrorResponse.decode(body);
        if (error.isFatal()) {
            backendSentFatal = true;
        }
        LOG.debug("client={} PostgreSQL error sqlstate={}", client.remoteAddress(), error.sqlState());
    }

    private void toClient(ByteBuf frames) {
        bytesOut += frames.readableBytes();
        client.write(frames, client.voidPromise());
        clientFlushPending = true;
    }

    // ---------------------------------------------------------------- flow control and closing

    private void updateClientAutoRead() {
        boolean relaying = (state == State.AUTHENTICATING || state == State.READY) && backend != null;
        client.config().setAutoRead(relaying && backend.isWritable());
    }

    private void violation(String message) {
        LOG.warn("client={} protocol violation: {}", client.remoteAddress(), message);
        fatalAndClose("08P01", message);
    }

    private void internalError(ProtocolMismatchException e) {
        LOG.error("client={} user={} database={} internal error, closing session: {}",
                client.remoteAddress(), user(), database(), e.getMessage());
        fatalAndClose("08P01", "pgseal internal error: lost track of the protocol state");
    }

    /** A statement interceptor threw: the session cannot continue safely. Its message may quote data: not logged. */
    private void hookFailed(RuntimeException e) {
        StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        LOG.error("client={} user={} database={} internal error in a statement interceptor: {} at {}",
                client.remoteAddress(), user(), database(), e.getClass().getName(), at);
        fatalAndClose("XX000", "pgseal internal error");
    }

    private void fatalAndClose(String sqlState, String message) {
        if (client.isActive()) {
            client.writeAndFlush(ErrorResponses.fatal(client.alloc(), sqlState, message)).addListener(ChannelFutureListener.CLOSE);
        }
        close(message);
    }

    private void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (startupTimeout != null) {
            startupTimeout.cancel(false);
        }
        if (issuedKey != null) {
            server.cancelKeys().revoke(issuedKey);
        }
        if (backend != null) {
            if (backend.isActive()) {
                backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                backend.close();
            }
        }
        if (client.isActive()) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (admitted) {
            server.release();
            long millis = (System.nanoTime() - openedNanos) / 1_000_000;
            LOG.info("session closed client={} user={} database={} application_name={} duration_ms={} bytes_in={} bytes_out={} reason={}",
                    client.remoteAddress(), user(), database(), applicationName(), millis, bytesIn, bytesOut, reason);
            try {
                interceptor.onSessionClosed();
            } catch (RuntimeException e) {
                LOG.error("session hook failed on close", e);
            }
        }
    }

    private static boolean isConnectionReset(Throwable cause) {
        return cause instanceof IOException && !(cause instanceof SSLException);
    }

    /** Handler on the client channel. */
    private final class ClientHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf frames) {
                onClientBatch(frames);
            } else if (msg instanceof StartupPacket packet) {
                onStartupPacket(packet);
            } else if (msg instanceof ProtocolViolation v) {
                violation(v.message());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (backendFlushPending) {
                backendFlushPending = false;
                if (backend != null) {
                    backend.flush();
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (backend != null && state != State.CLOSED) {
                backend.config().setAutoRead(client.isWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close(state == State.CLOSED ? "closed" : "client disconnected");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
                LOG.warn("client={} TLS failed: {}", client.remoteAddress(), ssl.getMessage());
            } else if (isConnectionReset(cause)) {
                LOG.debug("client={} connection error: {}", client.remoteAddress(), cause.toString());
            } else {
                LOG.warn("client={} unexpected error", client.remoteAddress(), cause);
            }
            close("client error: " + cause.getClass().getSimpleName());
            client.close();
        }
    }

    /** Handler on the backend channel. */
    private final class BackendHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf frames) {
                onBackendBatch(frames);
            } else if (msg instanceof ProtocolViolation v) {
                internalError(new ProtocolMismatchException("PostgreSQL broke the framing: " + v.message()));
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (clientFlushPending) {
                clientFlushPending = false;
                client.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (state != State.CLOSED) {
                updateClientAutoRead();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (state == State.CLOSED) {
                return;
            }
            if (clientFlushPending) {
                clientFlushPending = false;
                client.flush();
            }
            if (backendSentFatal) {
                close("PostgreSQL closed the session");
            } else {
                fatalAndClose("08006", "connection to PostgreSQL lost");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (state != State.CLOSED) {
                if (clientFlushPending) {
                    clientFlushPending = false;
                    client.flush();
                }
                if (backendSentFatal) {
                    LOG.debug("client={} PostgreSQL connection error after its FATAL error: {}", client.remoteAddress(), cause.toString());
                    close("PostgreSQL closed the session");
                } else {
                    LOG.warn("client={} PostgreSQL connection error: {}", client.remoteAddress(), cause.toString());
                    fatalAndClose("08006", "connection to PostgreSQL failed");
                }
            }
            ctx.close();
        }
    }
}
