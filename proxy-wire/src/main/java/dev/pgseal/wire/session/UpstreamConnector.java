package dev.pgseal.wire.session;

import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.protocol.startup.SslRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Opens connections to PostgreSQL on a given event loop, negotiating TLS first when
 * {@code upstream.tls} asks for it (SSLRequest, then a TLS handshake; {@code verify-full} checks the
 * certificate chain and the host name). The returned channel has no handlers of the session yet.
 */
public final class UpstreamConnector {
    private final ServerConfig.Upstream upstream;
    private final Class<? extends SocketChannel> channelClass;
    private final SslContext sslContext;

    /** @param sslContext client TLS context for PostgreSQL, {@code null} when upstream TLS is disabled */
    public UpstreamConnector(ServerConfig.Upstream upstream, Class<? extends SocketChannel> channelClass, SslContext sslContext) {
        this.upstream = upstream;
        this.channelClass = channelClass;
        this.sslContext = sslContext;
    }

    /** Where connections go, for messages. */
    public String address() {
        return upstream.host() + ":" + upstream.port();
    }

    /** Connects; the future fails with a message fit for the client when PostgreSQL cannot be reached. */
    public Future<Channel> connect(EventLoop loop) {
        Promise<Channel> ready = loop.newPromise();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ProxyLimits.WATER_MARK)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // The session adds its handlers once the connection (and TLS) is ready.
                    }
                });
        b.connect(upstream.host(), upstream.port()).addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(new UpstreamException("could not connect to PostgreSQL at " + address() + ": "
                        + describe(f.cause())));
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            if (sslContext == null) {
                ready.trySuccess(ch);
            } else {
                ch.pipeline().addLast("upstream-tls-answer", new TlsAnswer(ready));
                ch.writeAndFlush(SslRequest.encode(ch.alloc()));
            }
        });
        return ready;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** Reads PostgreSQL's one-byte answer to SSLRequest and starts TLS. */
    private final class TlsAnswer extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;
        private boolean handshaking;

        TlsAnswer(Promise<Channel> ready) {
            this.ready = ready;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (handshaking) {
                ctx.fireChannelRead(msg);
                return;
            }
            ByteBuf buf = (ByteBuf) msg;
            try {
                if (!buf.isReadable()) {
                    return;
                }
                byte answer = buf.readByte();
                if (answer != 'S') {
                    fail(ctx, "PostgreSQL at " + address() + " refused TLS (upstream.tls is "
                            + upstream.tls().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")");
                    return;
                }
                if (buf.isReadable()) {
                    fail(ctx, "PostgreSQL at " + address() + " sent unencrypted data after accepting TLS");
                    return;
                }
                SSLEngine engine = sslContext.newEngine(ctx.alloc(), upstream.host(), upstream.port());
                if (upstream.tls() == ServerConfig.UpstreamTls.VERIFY_FULL) {
                    SSLParameters params = engine.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    engine.setSSLParameters(params);
                }
                SslHandler ssl = new SslHandler(engine);
                handshaking = true;
                ctx.pipeline().addFirst("tls", ssl);
                ssl.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        ctx.pipeline().remove(this);
                        ready.trySuccess(ctx.channel());
                    } else {
                        ready.tryFailure(new UpstreamException("TLS handshake with PostgreSQL at " + address()
                                + " failed: " + describe(h.cause())));
                        ctx.channel().close();
                    }
                });
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new UpstreamException("PostgreSQL at " + address() + " closed the connection during TLS negotiation"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (handshaking) {
                return; // the handshake future reports it
            }
            fail(ctx, "TLS negotiation with PostgreSQL at " + address() + " failed: " + describe(cause));
        }

        private void fail(ChannelHandlerContext ctx, String message) {
            ready.tryFailure(new UpstreamException(message));
            ctx.close();
        }
    }

    /** PostgreSQL could not be reached or refused the transport pgseal requires. */
    public static final class UpstreamException extends Exception {
        private static final long serialVersionUID = 1L;

        public UpstreamException(String message) {
            super(message, null, false, false);
        }
    }
}
