package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.protocol.BufferLimitExceeded;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
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
    /** The READY-phase relays (null before): client → PostgreSQL and PostgreSQL → client. */
    private ClientRelay clientRelay;
    private BackendRelay backendRelay;
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
    private FrameDecoder clientFrames;

    private ProxySession(ServerContext server, Channel client) {
        this.server = server;
        this.client = client;
    }

    /**
     * Sets up a newly accepted client connection. A connection beyond
     * {@code limits.max_connections_per_address} gets FATAL 53300 at once, before it has sent
     * anything, as PostgreSQL's postmaster answers when it cannot take a connection.
     */
    public static void install(ServerContext server, Channel client) {
        SocketAddress remote = client.remoteAddress();
        if (!server.tryAcceptFrom(remote)) {
            LOG.warn("rejected client={}: max_connections_per_address ({}) reached", remote,
                    server.config().limits().maxConnectionsPerAddress());
            client.writeAndFlush(ErrorResponses.fatal(client.alloc(), "53300", "too many connections from this address"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        client.closeFuture().addListener(f -> server.releaseAddress(remote));
        ProxySession session = new ProxySession(server, client);
        // Until PostgreSQL has authenticated the client, only small messages (passwords, SASL) are accepted.
        session.clientFrames = new FrameDecoder(server.config().limits().maxStartupMessageBytes(), true, server.bufferBudget());
        client.pipeline().addLast("startup", new StartupDecoder(
                ctx -> ctx.pipeline().addAfter(ctx.name(), "frames", session.clientFrames)));
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
    public boolean settled() {
        return clientRelay != null && clientRelay.settled();
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
            LOG.info("rejected client={} user={} database={}: TLS required", client.remoteAddress(),
                    LogText.escape(user()), LogText.escape(database()));
            fatalAndClose("28000", "pgseal requires TLS");
            return;
        }
        Optional<SessionRefusal> refusal = StartupParameterRules.check(message.parameters());
        if (refusal.isPresent()) {
            LOG.info("rejected client={} user={} database={}: {}", client.remoteAddress(), LogText.escape(user()),
                    LogText.escape(database()), LogText.escape(refusal.get().message()));
            fatalAndClose(refusal.get().sqlState(), refusal.get().message());
            return;
        }
        if (!server.tryAdmit()) {
            LOG.warn("rejected client={} user={} database={}: max_client_connections ({}) reached",
                    client.remoteAddress(), LogText.escape(user()), LogText.escape(database()),
                    server.config().limits().maxClientConnections());
            fatalAndClose("53300", "sorry, too many clients already");
            return;
        }
        admitted = true;
        openedNanos = System.nanoTime();
        LOG.info("session open client={} user={} database={} application_name={} tls={}",
                client.remoteAddress(), LogText.escape(user()), LogText.escape(database()),
                LogText.escape(applicationName()), clientTls);
        state = State.CONNECTING;
        // Nothing more is read from the client until PostgreSQL answers: the admission hook and the
        // connection may take a while, and the session must not buffer what the client sends meanwhile.
        client.config().setAutoRead(false);
        CompletionStage<Optional<SessionRefusal>> admission;
        try {
            admission = java.util.Objects.requireNonNull(server.hooks().admit(this), "admit returned null");
        } catch (RuntimeException e) {
            admissionFailed(e);
            return;
        }
        admission.whenComplete((verdict, failure) -> client.eventLoop().execute(() -> {
            if (state == State.CLOSED) {
                return;
            }
            if (failure != null) {
                admissionFailed(failure);
            } else if (verdict != null && verdict.isPresent()) {
                SessionRefusal r = verdict.get();
                LOG.info("refused client={} user={} database={} by the admission hook: {} {}", client.remoteAddress(),
                        LogText.escape(user()), LogText.escape(database()), r.sqlState(), LogText.escape(r.message()));
                fatalAndClose(r.sqlState(), r.message());
            } else {
                connectUpstream();
            }
        }));
    }

    /** The admission hook threw or failed: the session cannot be judged, so it is not served. */
    private void admissionFailed(Throwable cause) {
        LOG.error("client={} user={} database={} admission hook failed", client.remoteAddress(),
                LogText.escape(user()), LogText.escape(database()), cause);
        fatalAndClose("XX000", "pgseal internal error");
    }

    /** PostgreSQL authenticated the client: from now on its messages may be as large as max_message_bytes. */
    private void onAuthenticationOk() {
        if (clientFrames != null) {
            clientFrames.setMaxMessageBytes(server.config().limits().maxMessageBytes());
        }
    }

    /** The shared budget for partial messages is spent: this session gives up rather than grow the heap. */
    private void outOfBufferSpace(String side, BufferLimitExceeded b) {
        LOG.warn("client={} user={} database={} closed: a partial message from {} exceeds the buffer budget: {}",
                client.remoteAddress(), LogText.escape(user()), LogText.escape(database()), side, b.message());
        fatalAndClose("53200", "out of memory: " + b.message());
    }

    private void connectUpstream() {
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
            backend.pipeline().addLast("frames", new FrameDecoder(ProxyLimits.MAX_BACKEND_MESSAGE_BYTES, true, server.bufferBudget()));
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
        if (clientRelay != null && state == State.READY) {
            clientRelay.onBatch(batch);
            return;
        }
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

    // ---------------------------------------------------------------- PostgreSQL → client

    private void onBackendBatch(ByteBuf batch) {
        if (backendRelay != null && state == State.READY) {
            backendRelay.onBatch(batch);
            return;
        }
        int at = batch.readerIndex();
        int end = batch.writerIndex();
        backendRunStart = at;
        try {
            while (at < end) {
                int len = Wire.frameLength(batch, at);
                boolean go = state == State.AUTHENTICATING && onAuthenticationFrame(batch, at, len);
                if (!go) {
                    return;
                }
                at += len;
                if (state == State.READY && at < end) {
                    // Authentication ended mid-batch: the rest is the READY relay's.
                    relayBackendRun(batch, at);
                    backendRelay.onBatch(batch.retainedSlice(at, end - at));
                    return;
                }
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
                    } else if (len == 9 && batch.getInt(at + Wire.HEADER_BYTES) == 0) {
                        onAuthenticationOk();
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
                    RelayOwner owner = new Owner();
                    clientRelay = new ClientRelay(backend, tracker, interceptor, owner);
                    backendRelay = new BackendRelay(client, tracker, interceptor, owner, clientRelay);
                    if (interceptor != StatementInterceptor.NONE && !replayParameterStatus(batch, at, len)) {
                        return false;
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

    /**
     * Shows the interceptor the parameters PostgreSQL reported during authentication; false when it
     * refused the session (then the frames up to this ReadyForQuery went out and the session closes).
     */
    private boolean replayParameterStatus(ByteBuf batch, int at, int len) {
        for (Map.Entry<String, String> p : serverParameters.entrySet()) {
            SessionRefusal refusal = interceptor.onParameterStatus(new ParameterStatus(p.getKey(), p.getValue()));
            if (refusal != null) {
                relayBackendRun(batch, at);
                refuseSession(refusal);
                return false;
            }
        }
        return true;
    }

    private void refuseSession(SessionRefusal refusal) {
        LOG.info("client={} user={} database={} session refused: {} {}", client.remoteAddress(), LogText.escape(user()),
                LogText.escape(database()), refusal.sqlState(), LogText.escape(refusal.message()));
        fatalAndClose(refusal.sqlState(), refusal.message());
    }

    private void recordParameterStatus(ByteBuf body) {
        recordParameterStatus(ParameterStatus.decode(body));
    }

    private void recordParameterStatus(ParameterStatus status) {
        if (serverParameters.isEmpty()) {
            serverParameters = new LinkedHashMap<>();
        }
        serverParameters.put(status.name(), status.value());
    }

    private void noteBackendError(ByteBuf body) {
        noteBackendError(ErrorResponse.decode(body));
    }

    private void noteBackendError(ErrorResponse error) {
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
        client.config().setAutoRead(relaying && backend.isWritable() && (clientRelay == null || !clientRelay.isSuspended()));
    }

    /** PostgreSQL is read while the client can take more and no DataRow waits for a key. */
    private void updateBackendAutoRead() {
        backend.config().setAutoRead(client.isWritable() && (backendRelay == null || !backendRelay.isPaused()));
    }

    private void violation(String message) {
        LOG.warn("client={} protocol violation: {}", client.remoteAddress(), LogText.escape(message));
        fatalAndClose("08P01", message);
    }

    private void internalError(ProtocolMismatchException e) {
        LOG.error("client={} user={} database={} internal error, closing session: {}",
                client.remoteAddress(), LogText.escape(user()), LogText.escape(database()), LogText.escape(e.getMessage()));
        fatalAndClose("08P01", "pgseal internal error: lost track of the protocol state");
    }

    /** A statement interceptor threw: the session cannot continue safely. Its message may quote data: not logged. */
    private void hookFailed(RuntimeException e) {
        StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        LOG.error("client={} user={} database={} internal error in a statement interceptor: {} at {}",
                client.remoteAddress(), LogText.escape(user()), LogText.escape(database()), e.getClass().getName(), at);
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
        if (clientRelay != null) {
            clientRelay.close();
        }
        if (backendRelay != null) {
            backendRelay.close();
        }
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
                    client.remoteAddress(), LogText.escape(user()), LogText.escape(database()),
                    LogText.escape(applicationName()), millis, bytesIn, bytesOut, LogText.escape(reason));
            try {
                interceptor.onSessionClosed();
            } catch (RuntimeException e) {
                LOG.error("session hook failed on close", e);
            }
        }
    }

    /** What the READY-phase relays call back. */
    private final class Owner implements RelayOwner {
        @Override
        public void violation(String message) {
            ProxySession.this.violation(message);
        }

        @Override
        public void internalError(ProtocolMismatchException e) {
            ProxySession.this.internalError(e);
        }

        @Override
        public void hookFailed(RuntimeException e) {
            ProxySession.this.hookFailed(e);
        }

        @Override
        public void refuseSession(SessionRefusal refusal) {
            ProxySession.this.refuseSession(refusal);
        }

        @Override
        public void clientTerminated() {
            close("client terminated");
        }

        @Override
        public void sentToBackend(long bytes) {
            bytesIn += bytes;
            backendFlushPending = true;
        }

        @Override
        public void sentToClient(long bytes) {
            bytesOut += bytes;
            clientFlushPending = true;
        }

        @Override
        public void clientInputChanged() {
            if (state == State.READY) {
                updateClientAutoRead();
            }
        }

        @Override
        public void backendInputChanged() {
            if (state == State.READY) {
                updateBackendAutoRead();
            }
        }

        @Override
        public void parameterStatus(ParameterStatus status) {
            recordParameterStatus(status);
        }

        @Override
        public void backendError(ErrorResponse error) {
            noteBackendError(error);
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
            } else if (msg instanceof BufferLimitExceeded b) {
                outOfBufferSpace("client", b);
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
                updateBackendAutoRead();
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
            } else if (msg instanceof BufferLimitExceeded b) {
                outOfBufferSpace("PostgreSQL", b);
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
