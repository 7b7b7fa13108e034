package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.config.ServerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Stopping pgseal ends client sessions the way PostgreSQL's own shutdown does. */
class ProxyShutdownIT {

    @Test
    void idleClientsGetAdminShutdownWhenPgsealStops() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        ProxyServer proxy = ProxyServer.start(ServerConfig.plain(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream(pg.host(), pg.port(), ServerConfig.UpstreamTls.DISABLE)));
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + pg.database() + "?user=" + pg.user()
                + (pg.password() == null ? "" : "&password=" + pg.password());
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("select 1");
            proxy.close();
            assertThat(proxy.activeSessions()).isZero();
            assertThatThrownBy(() -> s.execute("select 1")).isInstanceOfSatisfying(SQLException.class, e ->
                    assertThat(e.getSQLState()).as(e.toString()).isEqualTo("57P01"));
        }
    }
}
