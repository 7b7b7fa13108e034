package dev.pgseal.wire.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-loop side of the admin API: copies each aggregated request off Netty's buffers, hands it
 * to the admin workers ({@link AdminApi} blocks on the store and the HSM), and writes the answer
 * back on the channel. Requests on one connection are answered in order because the next one is
 * read only after the previous answer is written (auto-read is off while a request is in flight).
 */
final class HttpAdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpAdminHandler.class);
    static final String OTP_HEADER = "X-Pgseal-Otp";

    private final AdminApi api;
    private final Executor workers;

    HttpAdminHandler(AdminApi api, Executor workers) {
        this.api = api;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (!msg.decoderResult().isSuccess()) {
            write(ctx, ApiResponse.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request"), false);
            return;
        }
        QueryStringDecoder uri;
        Map<String, java.util.List<String>> query;
        try {
            uri = new QueryStringDecoder(msg.uri());
            uri.path(); // decodes now, so a bad escape is a 400 here
            query = uri.parameters();
        } catch (IllegalArgumentException e) {
            write(ctx, ApiResponse.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request URI"),
                    keepAlive);
            return;
        }
        ApiRequest request = new ApiRequest(msg.method().name(), uri.path(), query,
                msg.headers().get(HttpHeaderNames.AUTHORIZATION), msg.headers().get(OTP_HEADER),
                ByteBufUtil.getBytes(msg.content()), remote(ctx.channel().remoteAddress()), verifiedPeer(ctx));
        ctx.channel().config().setAutoRead(false);
        try {
            workers.execute(() -> {
                ApiResponse response;
                try {
                    response = api.handle(request);
                } catch (RuntimeException | Error e) {
                    LOG.error("admin request {} {} failed", request.method(), request.path(), e);
                    response = AdminApi.internalError();
                }
                ApiResponse r = response;
                ctx.executor().execute(() -> {
                    write(ctx, r, keepAlive);
                    ctx.channel().config().setAutoRead(true);
                });
            });
        } catch (RejectedExecutionException e) {
            ctx.channel().config().setAutoRead(true);
            write(ctx, ApiResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy",
                    "the admin API is busy; retry shortly").withHeader("Retry-After", "1"), keepAlive);
        }
    }

    private static void write(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("X-Content-Type-Options", "nosniff");
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close(); // an idle or stalled client does not keep a connection forever
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /**
     * The client certificate of a TLS connection. The JDK's engine keeps a peer certificate only
     * when the handshake verified it (with a client CA configured, a certificate that fails PKIX
     * fails the handshake), so whatever this returns passed verification.
     */
    private static X509Certificate verifiedPeer(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }

    private static String remote(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return (i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress()) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
