package dev.pgseal.wire.admin;

import com.github.benmanes.caffeine.cache.Cache;
import dev.pgseal.keys.KeyService;
import dev.pgseal.wire.session.TlsPolicy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import java.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgseal's admin HTTP API: JSON under {@code /v1} (key lifecycle, audit, tokens) with bearer tokens
 * and roles, {@code /health/live}, {@code /health/ready} and Prometheus {@code /metrics}, on
 * Netty's HTTP codec. One event-loop thread parses and writes; the calls, which block on the key
 * store and the HSM, run on a small bounded pool of workers (a full queue answers 503).
 *
 * <p>Limits: request line 4 KiB, headers 8 KiB, body {@link Settings#maxRequestBytes()} (413
 * beyond), and a connection idle for {@link Settings#idleSeconds()} is closed. With
 * {@link Settings#tls()} the listener speaks HTTPS only (TLS 1.2 and 1.3, forward-secret AEAD
 * suites: the proxy's {@link TlsPolicy}); a plain HTTP request on it fails the handshake. With a
 * client CA ({@link #serverTls(Path, Path, Optional)}) a client may authenticate with a client
 * certificate registered to its principal instead of (or with) a bearer token. See
 * {@code docs/admin.md} for the endpoints, roles and error shapes.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /**
     * Tunables of the admin listener.
     *
     * @param maxRequestBytes the largest request body accepted
     * @param workers threads that run the calls (they block on the store and the HSM)
     * @param queue calls waiting for a worker before new ones are refused with 503
     * @param idleSeconds a connection that sends nothing for this long is closed
     * @param secondFactor the check on dangerous calls
     * @param tls the server side of HTTPS ({@link #serverTls}); null: plain HTTP
     */
    public record Settings(int maxRequestBytes, int workers, int queue, int idleSeconds, SecondFactor secondFactor,
            SslContext tls) {
        public static final Settings DEFAULT = new Settings(64 * 1024, 2, 64, 60, SecondFactor.totp(Clock.systemUTC()));

        /** Plain HTTP. */
        public Settings(int maxRequestBytes, int workers, int queue, int idleSeconds, SecondFactor secondFactor) {
            this(maxRequestBytes, workers, queue, idleSeconds, secondFactor, null);
        }

        /** A copy that serves HTTPS with {@code context} (null: plain HTTP). */
        public Settings withTls(SslContext context) {
            return new Settings(maxRequestBytes, workers, queue, idleSeconds, secondFactor, context);
        }
    }

    /**
     * The server side of the admin listener's TLS from a PEM certificate (chain) and PEM private key,
     * restricted like the proxy's ({@link TlsPolicy}).
     *
     * @throws IllegalArgumentException naming the files when they cannot be read or do not match
     */
    public static SslContext serverTls(Path cert, Path key) {
        return serverTls(cert, key, Optional.empty());
    }

    /**
     * As {@link #serverTls(Path, Path)}, and with {@code clientCa} (a PEM bundle of CA certificates)
     * the handshake asks for a client certificate. Asking, not requiring: a client without one still
     * connects and authenticates with a bearer token. A certificate the client does send must pass
     * PKIX validation against those CAs (chain, signatures, validity period, key usage for TLS
     * clients) or the handshake fails; only a certificate that passed reaches {@link AdminApi}, which
     * then accepts it only when it is registered to a principal.
     *
     * @throws IllegalArgumentException naming the files when they cannot be read, do not match, or
     *     {@code clientCa} holds no certificate
     */
    public static SslContext serverTls(Path cert, Path key, Optional<Path> clientCa) {
        for (Path p : new Path[] {cert, key, clientCa.orElse(cert)}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read TLS file " + p);
            }
        }
        SslContextBuilder builder;
        try {
            builder = TlsPolicy.apply(SslContextBuilder.forServer(cert.toFile(), key.toFile()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the admin TLS certificate " + cert + " and key " + key + ": "
                    + e.getMessage(), e);
        }
        if (clientCa.isPresent()) {
            builder.trustManager(clientCertificateTrust(clientCa.get())).clientAuth(ClientAuth.OPTIONAL);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the admin TLS certificate " + cert + " and key " + key
                    + clientCa.map(ca -> " with client CA " + ca).orElse("") + ": " + e.getMessage(), e);
        }
    }

    /** PKIX trust in exactly the certificates of {@code caFile} (the JDK's own trust store plays no part). */
    private static TrustManagerFactory clientCertificateTrust(Path caFile) {
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(caFile)) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the client CA file " + caFile + ": " + e.getMessage(), e);
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("the client CA file " + caFile + " holds no PEM certificate");
        }
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                anchors.setCertificateEntry("client-ca-" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(anchors);
            return tmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the client certificate trust of " + caFile, e);
        }
    }

    private final EventLoopGroup group;
    private final Channel listener;
    private final ThreadPoolExecutor workers;
    private final AdminMetrics metrics;

    private AdminServer(EventLoopGroup group, Channel listener, ThreadPoolExecutor workers, AdminMetrics metrics) {
        this.group = group;
        this.listener = listener;
        this.workers = workers;
        this.metrics = metrics;
    }

    /**
     * Binds {@code host:port} and serves until {@link #close()}.
     *
     * @param keys the key service; null on a server without key store (then only health and metrics answer)
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static AdminServer start(String host, int port, KeyService keys, Settings settings) {
        AdminMetrics metrics = new AdminMetrics(keys);
        ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.queue()), new DefaultThreadFactory("pgseal-admin-worker", true),
                new ThreadPoolExecutor.AbortPolicy());
        AdminApi api = new AdminApi(keys, settings.secondFactor().forKeys(keys), metrics);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pgseal-admin-io", true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (settings.tls() != null) {
                            ch.pipeline().addLast(settings.tls().newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, settings.idleSeconds()))
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(settings.maxRequestBytes()))
                                .addLast(new HttpAdminHandler(api, workers));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownNow();
            metrics.close();
            throw new IllegalStateException("cannot listen for the admin API on " + host + ":" + port + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        AdminServer server = new AdminServer(group, bound.channel(), workers, metrics);
        LOG.info("admin API listening on {}://{}:{}", settings.tls() == null ? "http" : "https", host, server.port());
        return server;
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The metrics registry, for other parts of the server to add their meters. */
    public AdminMetrics metrics() {
        return metrics;
    }

    /** Exposes a Caffeine cache (built with {@code recordStats()}) on {@code /metrics}. */
    public void monitor(String name, Cache<?, ?> cache) {
        metrics.monitor(name, cache);
    }

    /** Stops listening, lets running calls finish (up to 5 s), and closes connections. */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        metrics.close();
    }
}
