package dev.pgseal.wire;

import dev.pgseal.wire.config.ServerConfig;

/**
 * Developer launcher (test scope): a plain proxy on port {@code args[0]} (default 6543) in front of
 * PostgreSQL at 127.0.0.1:{@code args[1]} (default 5432). The real CLI is {@code ./pgseal serve}.
 */
public final class DevProxyMain {
    private DevProxyMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 6543;
        int upstreamPort = args.length > 1 ? Integer.parseInt(args[1]) : 5432;
        ServerConfig config = ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", port),
                new ServerConfig.Upstream("127.0.0.1", upstreamPort, ServerConfig.UpstreamTls.DISABLE));
        ProxyServer server = ProxyServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Thread.currentThread().join();
    }
}
