package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.protocol.BufferBudget;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
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
    private final BufferBudget bufferBudget;
    private final ConcurrentHashMap<InetAddress, Integer> connectionsByAddress = new ConcurrentHashMap<>();

    /** @param clientTls TLS context for clients, {@code null} when tls.mode is disable */
    public ServerContext(ServerConfig config, SessionHooks hooks, SslContext clientTls, UpstreamConnector upstream,
                         ChannelGroup clientChannels) {
        this.config = config;
        this.hooks = hooks;
        this.clientTls = clientTls;
        this.upstream = upstream;
        this.clientChannels = clientChannels;
        this.bufferBudget = new BufferBudget(config.limits().maxBufferedBytes());
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

    /** The budget every session's decoders reserve partial messages from ({@code limits.max_buffered_bytes}). */
    BufferBudget bufferBudget() {
        return bufferBudget;
    }

    /**
     * Counts one more connection from {@code remote}'s IP address unless
     * {@code limits.max_connections_per_address} are open already. A connection counted here must
     * be given back with {@link #releaseAddress}. Addresses that are not IP (tests on embedded
     * channels) are not limited.
     */
    boolean tryAcceptFrom(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return true;
        }
        int max = config.limits().maxConnectionsPerAddress();
        boolean[] accepted = {false};
        connectionsByAddress.compute(inet.getAddress(), (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            accepted[0] = true;
            return now + 1;
        });
        return accepted[0];
    }

    /** Gives back a connection counted by {@link #tryAcceptFrom}. */
    void releaseAddress(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            // Removing the entry at zero keeps the map as small as the set of connected addresses.
            connectionsByAddress.computeIfPresent(inet.getAddress(), (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Bytes held in partial messages over all sessions now. */
    public long bufferedBytes() {
        return bufferBudget.used();
    }

    /** Connections open from {@code address} (tests, metrics). */
    public int connectionsFrom(InetAddress address) {
        return connectionsByAddress.getOrDefault(address, 0);
    }

    /** Sessions admitted and not yet closed. */
    public int activeSessions() {
        return sessions.get();
    }
}
