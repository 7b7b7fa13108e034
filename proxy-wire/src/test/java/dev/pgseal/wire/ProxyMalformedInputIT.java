package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.protocol.ClientStreams;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded garbage from clients, after a real startup, against a real proxy and PostgreSQL: each
 * client gets well-formed messages back and a closed connection, and the server keeps serving.
 */
class ProxyMalformedInputIT {
    private static final int CLIENTS = 60;
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy();
        db = proxy.pg.createDatabase("wire_fuzz");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void mutatedClientStreamsEndInARelayOrAnErrorAndNeverHarmTheServer() throws Exception {
        SplittableRandom random = new SplittableRandom(0xF022L);
        int refusedByPgseal = 0;
        try (Connection bystander = proxy.connect(db, "")) {
            for (int i = 0; i < CLIENTS; i++) {
                byte[] garbage = ClientStreams.mutate(ClientStreams.messages(random), random);
                try (RawClient client = new RawClient(proxy.server.port())) {
                    client.startup(proxy.pg.user(), db);
                    assertThat(client.readUntilReady()).last().extracting(RawClient.Message::type).isEqualTo('Z');
                    client.send(garbage);
                    client.shutdownOutput();
                    List<RawClient.Message> answer = client.readToEnd(); // well-formed messages, then the end
                    if (!answer.isEmpty() && answer.get(answer.size() - 1).type() == 'E'
                            && "08P01".equals(answer.get(answer.size() - 1).field('C'))) {
                        refusedByPgseal++;
                    }
                }
            }
            try (Statement s = bystander.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(refusedByPgseal).as("some inputs were protocol violations").isPositive();
        Await.until("pgseal to close every fuzzed session", Duration.ofSeconds(10),
                () -> proxy.server.activeSessions() == 0);
        try (Connection after = proxy.connect(db, ""); Statement s = after.createStatement();
             ResultSet rs = s.executeQuery("select 2")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }
}
