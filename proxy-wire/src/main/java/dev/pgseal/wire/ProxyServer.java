package dev.pgseal.wire;

import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.protocol.ErrorResponses;
import dev.pgseal.wire.session.ProxyLimits;
import dev.pgseal.wire.session.ProxySession;
import dev.pgseal.wire.session.ServerContext;
import dev.pgseal.wire.session.TlsPolicy;
import dev.pgseal.wire.session.UpstreamConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pgseal proxy server: accepts PostgreSQL clients on {@code listen} and gives each its own
 * connection to {@code upstream}, relaying the protocol faithfully. Uses epoll when available, else
 * NIO; one event loop per core. Start with {@link #start(ServerConfig)}, stop with {@link #close()}.
 */
public final class ProxyServer implements AutoCloseable {
    /** SQLSTATE admin_shutdown, which PostgreSQL sends when it shuts down. */
    static final String SHUTDOWN_SQLSTATE = "57P01";
    static final String SHUTDOWN_MESSAGE = "terminating connection because pgseal is shutting down";

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final ServerContext context;
    private final ChannelGroup clients;

    private ProxyServer(EventLoopGroup group, Channel listener, ServerContext context, ChannelGroup clients) {
        this.group = group;
        this.listener = listener;
        this.context = context;
        this.clients = clients;
    }

    /** Starts a plain relay (no statement hooks). */
    public static ProxyServer start(ServerConfig config) {
        return start(config, SessionHooks.NONE);
    }

    /**
     * Binds {@code listen.host:listen.port} and starts serving.
     *
     * @throws ProxyStartException when the port is taken, a TLS file cannot be read, …
     */
    public static ProxyServer start(ServerConfig config, SessionHooks hooks) {
        if (System.getProperty("io.netty.leakDetection.level") == null && System.getProperty("io.netty.leakDetectionLevel") == null) {
            // Sampling leak detection costs stack captures on the hot path; tests turn it on explicitly.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        SslContext clientTls = clientTls(config.tls());
        SslContext upstreamTls = upstreamTls(config.upstream());
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> socketClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        int threads = Integer.getInteger("pgseal.ioThreads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("pgseal-io", true), io);
        ChannelGroup clients = new DefaultChannelGroup("pgseal-clients", GlobalEventExecutor.INSTANCE);
        ServerContext context = new ServerContext(config, hooks, clientTls,
                new UpstreamConnector(config.upstream(), socketClass, upstreamTls), clients);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ProxyLimits.WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ProxySession.install(context, ch);
                    }
                });
        String host = config.listen().host();
        int port = config.listen().port();
        io.netty.channel.ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            Throwable cause = bound.cause();
            throw new ProxyStartException("cannot listen on " + host + ":" + port + ": "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        }
        Channel listener = bound.channel();
        ProxyServer server = new ProxyServer(group, listener, context, clients);
        LOG.info("pgseal listening on {}:{} (transport {}), upstream {}:{} (tls {}), client tls {}",
                host, server.port(), epoll ? "epoll" : "nio", config.upstream().host(), config.upstream().port(),
                config.upstream().tls(), config.tls().mode());
        return server;
    }

    private static SslContext clientTls(ServerConfig.Tls tls) {
        if (tls.mode() == ServerConfig.ClientTlsMode.DISABLE) {
            return null;
        }
        Path cert = tls.cert().orElseThrow(() -> new ProxyStartException("tls.cert is required when tls.mode is "
                + tls.mode().name().toLowerCase(java.util.Locale.ROOT), null));
        Path key = tls.key().orElseThrow(() -> new ProxyStartException("tls.key is required when tls.mode is "
                + tls.mode().name().toLowerCase(java.util.Locale.ROOT), null));
        for (Path p : new Path[] {cert, key}) {
            if (!Files.isReadable(p)) {
                throw new ProxyStartException("cannot read TLS file " + p, null);
            }
        }
        try {
            return TlsPolicy.apply(SslContextBuilder.forServer(cert.toFile(), key.toFile())).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ProxyStartException("cannot load TLS certificate " + cert + " and key " + key + ": " + e.getMessage(), e);
        }
    }

    private static SslContext upstreamTls(ServerConfig.Upstream upstream) {
        try {
            return switch (upstream.tls()) {
                case DISABLE -> null;
                case REQUIRE -> TlsPolicy.apply(SslContextBuilder.forClient()
                        .trustManager(InsecureTrustManagerFactory.INSTANCE)).build();
                case VERIFY_FULL -> {
                    SslContextBuilder b = TlsPolicy.apply(SslContextBuilder.forClient());
                    if (upstream.ca().isPresent()) {
                        Path ca = upstream.ca().get();
                        if (!Files.isReadable(ca)) {
                            throw new ProxyStartException("cannot read upstream.ca " + ca, null);
                        }
                        b.trustManager(ca.toFile());
                    }
                    yield b.build();
                }
            };
        } catch (SSLException | IllegalArgumentException e) {
            throw new ProxyStartException("cannot set up TLS towards PostgreSQL"
                    + upstream.ca().map(ca -> " with CA file " + ca).orElse("") + ": " + e.getMessage(), e);
        }
    }

    /** The bound port (the real one when {@code listen.port} was 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Client sessions admitted (StartupMessage accepted) and not yet closed. */
    public int activeSessions() {
        return context.activeSessions();
    }

    /** Bytes all sessions hold in partial messages now, against {@code limits.max_buffered_bytes}. */
    public long bufferedBytes() {
        return context.bufferedBytes();
    }

    /**
     * Stops listening, tells every client the connection ends (FATAL 57P01, as PostgreSQL does on a
     * shutdown), closes every session and shuts the event loops down.
     */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        for (Channel client : clients) {
            // On the session's event loop, between whole frames: the notice never splits a message.
            client.eventLoop().execute(() -> {
                if (client.isActive()) {
                    client.writeAndFlush(ErrorResponses.fatal(client.alloc(), SHUTDOWN_SQLSTATE, SHUTDOWN_MESSAGE))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            });
        }
        clients.newCloseFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        LOG.info("pgseal stopped");
    }
}
