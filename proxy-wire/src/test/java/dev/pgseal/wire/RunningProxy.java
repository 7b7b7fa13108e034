package dev.pgseal.wire;

import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.config.ServerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A proxy on a free port in front of the test PostgreSQL, for *IT tests. */
final class RunningProxy implements AutoCloseable {
    final PostgresFixture pg = PostgresFixture.get();
    final ProxyServer server;

    RunningProxy(ServerConfig.Limits limits) {
        this(limits, SessionHooks.NONE);
    }

    RunningProxy(ServerConfig.Limits limits, SessionHooks hooks) {
        ServerConfig config = ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream(pg.host(), pg.port(), ServerConfig.UpstreamTls.DISABLE)).withLimits(limits);
        server = ProxyServer.start(config, hooks);
    }

    RunningProxy() {
        this(ServerConfig.Limits.DEFAULT);
    }

    /** A JDBC URL through the proxy with extra parameters ("&a=b"). */
    String jdbcUrl(String db, String extra) {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + db + "?user=" + pg.user()
                + (pg.password() == null ? "" : "&password=" + pg.password()) + extra;
    }

    Connection connect(String db, String extra) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db, extra));
    }

    @Override
    public void close() {
        server.close();
    }
}
