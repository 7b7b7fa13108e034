package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The startup phase and the ends of a session, seen from the client. */
class ProxySessionLifecycleIT {
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy();
        db = proxy.pg.createDatabase("wire_life");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aNewerMinorProtocolVersionGetsPostgresNegotiateProtocolVersionRelayed() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            byte[] params = ("user\0" + proxy.pg.user() + "\0database\0" + db + "\0_pq_.pgseal_test\0on\0\0")
                    .getBytes(StandardCharsets.UTF_8);
            client.send(ByteBuffer.allocate(8 + params.length).putInt(8 + params.length).putInt(3 << 16 | 9).put(params).array());
            List<RawClient.Message> startup = client.readUntilReady();
            assertThat(startup).first().extracting(RawClient.Message::type).isEqualTo('v');
            assertThat(startup).last().extracting(RawClient.Message::type).isEqualTo('Z');
        }
    }

    @Test
    void gssEncryptionIsDeclinedAndTheStartupProceeds() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            client.send(ByteBuffer.allocate(8).putInt(8).putInt(80877104).array());
            assertThat(client.readByte()).isEqualTo('N');
            client.startup(proxy.pg.user(), db);
            assertThat(client.readUntilReady()).last().extracting(RawClient.Message::type).isEqualTo('Z');
        }
    }

    @Test
    void aCancelRequestWithUnknownKeysIsIgnoredSilently() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.server.port())) {
            s.getOutputStream().write(ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(12345).putInt(678).array());
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("closed without a reply").isEqualTo(-1);
        }
    }

    @Test
    void whenPostgresEndsTheSessionTheClientGetsItsErrorAndTheSessionCloses() throws Exception {
        try (Connection victim = proxy.connect(db, ""); Connection admin = proxy.pg.connect(db)) {
            int pid;
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            try (Statement s = admin.createStatement()) {
                s.execute("select pg_terminate_backend(" + pid + ")");
            }
            assertThatThrownBy(() -> victim.createStatement().executeQuery("select 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57P01"));
        }
        awaitNoSessions();
    }

    @Test
    void terminateClosesBothSidesAndTheSessionCountDrops() throws Exception {
        awaitNoSessions();
        try (Connection c = proxy.connect(db, "&ApplicationName=lifecycle")) {
            assertThat(proxy.server.activeSessions()).isEqualTo(1);
        }
        awaitNoSessions();
        try (Connection admin = proxy.pg.connect(db); Statement s = admin.createStatement()) {
            Await.until("PostgreSQL's backend of the closed session to end", Duration.ofSeconds(10), () -> {
                try (ResultSet rs = s.executeQuery(
                        "select count(*) from pg_stat_activity where application_name = 'lifecycle'")) {
                    rs.next();
                    return rs.getInt(1) == 0;
                }
            });
        }
    }

    private static void awaitNoSessions() throws Exception {
        Await.until("pgseal to close every session", Duration.ofSeconds(10), () -> proxy.server.activeSessions() == 0);
    }
}
