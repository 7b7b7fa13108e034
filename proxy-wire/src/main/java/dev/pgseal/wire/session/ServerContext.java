package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.config.ServerConfig;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.atomic.AtomicInteger;

/** What every session of one server shares. Thread-safe. */
public final class ServerContext {
    private final ServerConfig config;
    private final SessionHooks hooks;
    private final SslContext clientTls;
    private final UpstreamConnector upstream;
    private final CancelKeys cancelKeys = new CancelKeys();
    private final AtomicInteger sessions = new AtomicInteger();
    private final ChannelGroup clientChannels;

    /** @param clientTls TLS context for clients, {@code null} when tls.mode is disable */
    public ServerContext(ServerConfig config, SessionHooks hooks, SslContext clientTls, UpstreamConnector upstream,
                         ChannelGroup clientChannels) {
        this.config = config;
        this.hooks = hooks;
        this.clientTls = clientTls;
        this.upstream = upstream;
        this.clientChannels = clientChannels;
    }

    public ServerConfig config() {
        return config;
    }

    SessionHooks hooks() {
        return hooks;
    }

    SslContext clientTls() {
        return clientTls;
    }

    UpstreamConnector upstream() {
        return upstream;
    }

    CancelKeys cancelKeys() {
        return cancelKeys;
    }

    ChannelGroup clientChannels() {
        return clientChannels;
    }

    /** Admits one more session unless {@code limits.max_client_connections} is reached. */
    boolean tryAdmit() {
        int max = config.limits().maxClientConnections();
        while (true) {
            int n = sessions.get();
            if (n >= max) {
                return false;
            }
            if (sessions.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        sessions.decrementAndGet();
    }

    /** Sessions admitted and not yet closed. */
    public int activeSessions() {
        return sessions.get();
    }
}
