package dev.pgseal.it;

import dev.pgseal.wire.ProxyServer;
import dev.pgseal.wire.config.ServerConfig;
import java.time.Duration;

/**
 * pgseal started in this JVM for a test class, in front of an upstream PostgreSQL.
 *
 * <p>With {@code -Dpgseal.it.target=direct} no proxy starts and {@link #target()} is the upstream
 * itself: the same tests then run straight against PostgreSQL, which validates the tests' own
 * logic independently of pgseal.
 */
public final class PgsealUnderTest implements AutoCloseable {

    /** System property choosing what {@link #target()} points at: {@code pgseal} (default) or {@code direct}. */
    public static final String TARGET_PROPERTY = "pgseal.it.target";

    /** The running proxy, or null in a validation run that goes straight to PostgreSQL. */
    private final ProxyServer server;
    private final Target target;

    private PgsealUnderTest(ProxyServer server, Target target) {
        this.server = server;
        this.target = target;
    }

    /** Whether tests go through pgseal (true) or straight to PostgreSQL (validation runs). */
    public static boolean proxyEnabled() {
        return !"direct".equalsIgnoreCase(System.getProperty(TARGET_PROPERTY, "pgseal"));
    }

    /** Starts pgseal with {@code config} (listen port 0 picks a free port). */
    public static PgsealUnderTest start(ServerConfig config) {
        ServerConfig.Upstream upstream = config.upstream();
        if (!proxyEnabled()) {
            return new PgsealUnderTest(null, new Target("direct", upstream.host(), upstream.port()));
        }
        ProxyServer server = ProxyServer.start(config);
        return new PgsealUnderTest(server, new Target("pgseal", config.listen().host(), server.port()));
    }

    /** The config of a plain pgseal on a free loopback port in front of {@code host:port}. */
    public static ServerConfig plainConfig(String upstreamHost, int upstreamPort) {
        return ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream(upstreamHost, upstreamPort, ServerConfig.UpstreamTls.DISABLE));
    }

    /** Where clients connect. */
    public Target target() {
        return target;
    }

    /** Client sessions pgseal holds open right now (0 when no proxy runs). */
    public int activeSessions() {
        return server == null ? 0 : server.activeSessions();
    }

    /**
     * Waits until pgseal holds no session (closing a client connection is asynchronous for the
     * proxy) and returns the number still open when {@code limit} ran out.
     */
    public int awaitNoSessions(Duration limit) throws InterruptedException {
        return awaitSessionsAtMost(0, limit);
    }

    /** Waits until pgseal holds at most {@code count} sessions; returns the number open at the end. */
    public int awaitSessionsAtMost(int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        int open = activeSessions();
        while (open > count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            open = activeSessions();
        }
        return open;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
