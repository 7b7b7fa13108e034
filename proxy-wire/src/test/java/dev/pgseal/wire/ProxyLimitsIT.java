package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.wire.config.ServerConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Limits and malformed input end with a PostgreSQL-shaped error for that client only. */
class ProxyLimitsIT {
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy(new ServerConfig.Limits(1024, 3));
        db = proxy.pg.createDatabase("wire_limits");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void beyondMaxClientConnectionsTheStartupIsRefusedWith53300() throws Exception {
        awaitNoSessions();
        try (Connection a = proxy.connect(db, ""); Connection b = proxy.connect(db, ""); Connection c = proxy.connect(db, "")) {
            assertThatThrownBy(() -> proxy.connect(db, "").close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("sorry, too many clients already")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("53300"));
            assertThat(selectOne(a)).isEqualTo(1);
        }
        awaitNoSessions();
        try (Connection again = proxy.connect(db, "")) {
            assertThat(selectOne(again)).isEqualTo(1);
        }
    }

    @Test
    void anOversizedMessageClosesThatClientWith08P01AndSparesTheOthers() throws Exception {
        awaitNoSessions();
        try (Connection bystander = proxy.connect(db, ""); Connection offender = proxy.connect(db, "")) {
            String big = "x".repeat(2000);
            assertThatThrownBy(() -> offender.createStatement().executeQuery("select '" + big + "'"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("exceeds limit 1024")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08P01"));
            assertThat(offender.isValid(5)).isFalse();
            assertThat(selectOne(bystander)).isEqualTo(1);
        }
    }

    @Test
    void anInvalidMessageTypeGets08P01ThenClose() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            client.startup(proxy.pg.user(), db);
            List<RawClient.Message> startup = client.readUntilReady();
            assertThat(startup).last().extracting(RawClient.Message::type).isEqualTo('Z');
            assertThat(startup).filteredOn(m -> m.type() == 'K').hasSize(1);
            client.send(new byte[] {'z', 0, 0, 0, 4});
            List<RawClient.Message> rest = client.readToEnd();
            assertThat(rest).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo('E');
                assertThat(m.field('C')).isEqualTo("08P01");
                assertThat(m.field('M')).isEqualTo("invalid frontend message type 'z'");
            });
        }
    }

    @Test
    void aBadStartupLengthGets08P01NamingTheLength() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            client.send(new byte[] {0, 0, 0, 2, 0, 3, 0, 0});
            assertThat(client.readToEnd()).singleElement().satisfies(m -> {
                assertThat(m.field('C')).isEqualTo("08P01");
                assertThat(m.field('M')).isEqualTo("invalid length of startup packet: length: 2 (expected: >= 8 and <= 10000)");
            });
        }
    }

    @Test
    void aMessageShorterThanItsHeaderGets08P01() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            client.startup(proxy.pg.user(), db);
            client.readUntilReady();
            client.send(new byte[] {'Q', 0, 0, 0, 2});
            assertThat(client.readToEnd()).singleElement().satisfies(m -> {
                assertThat(m.field('C')).isEqualTo("08P01");
                assertThat(m.field('M')).isEqualTo("invalid message length: length: 2 (expected: >= 4)");
            });
        }
    }

    private static int selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Sessions close asynchronously after the client's Terminate; wait until the count reflects it. */
    private static void awaitNoSessions() throws Exception {
        Await.until("pgseal to close every session", Duration.ofSeconds(10), () -> proxy.server.activeSessions() == 0);
    }
}
