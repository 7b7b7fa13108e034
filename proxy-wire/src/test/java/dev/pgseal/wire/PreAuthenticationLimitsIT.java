package dev.pgseal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits that hold before a client is authenticated: a small message cap until AuthenticationOk,
 * a cap on connections per client address counted from accept, and a budget for partial messages
 * shared by all sessions. Each ends only the offending connection, with a PostgreSQL-shaped error.
 */
class PreAuthenticationLimitsIT {
    private static final int STARTUP_CAP = 2048;
    private static final int PER_ADDRESS = 3;
    private static final long BUDGET = 64 * 1024;
    private static RunningProxy proxy;
    private static String db;

    @BeforeAll
    static void start() {
        proxy = new RunningProxy(new ServerConfig.Limits(1024 * 1024, 100)
                .withPreAuthentication(STARTUP_CAP, PER_ADDRESS, BUDGET));
        db = proxy.pg.createDatabase("wire_preauth");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A Query message whose SQL text makes it {@code totalBytes} long, header included. */
    private static byte[] query(int totalBytes) {
        String sql = "select '" + "x".repeat(totalBytes - 15) + "'";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] text = sql.getBytes(StandardCharsets.US_ASCII);
        b.write('Q');
        b.writeBytes(ByteBuffer.allocate(4).putInt(4 + text.length + 1).array());
        b.writeBytes(text);
        b.write(0);
        assertThat(b.size()).isEqualTo(totalBytes);
        return b.toByteArray();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aMessageAboveTheStartupCapBeforeAuthenticationGets08P01() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            // Sent together with the StartupMessage, so pgseal reads it before PostgreSQL answered.
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(StartupAdmissionIT.startupPacket("user", proxy.pg.user(), "database", db));
            both.writeBytes(query(STARTUP_CAP + 100));
            client.send(both.toByteArray());
            List<RawClient.Message> answer = client.readToEnd();
            assertThat(answer).last().satisfies(m -> {
                assertThat(m.type()).isEqualTo('E');
                assertThat(m.field('C')).isEqualTo("08P01");
                assertThat(m.field('M')).isEqualTo("message length " + (STARTUP_CAP + 99) + " exceeds limit " + STARTUP_CAP);
            });
        }
    }

    @Test
    void afterAuthenticationTheNormalMessageLimitApplies() throws Exception {
        try (RawClient client = new RawClient(proxy.server.port())) {
            client.startup(proxy.pg.user(), db);
            assertThat(client.readUntilReady()).last().extracting(RawClient.Message::type).isEqualTo('Z');
            client.send(query(STARTUP_CAP * 4));
            List<RawClient.Message> answer = client.readUntilReady();
            assertThat(answer).extracting(RawClient.Message::type).containsExactly('T', 'D', 'C', 'Z');
        }
    }

    @Test
    void beyondTheConnectionsPerAddressANewConnectionGets53300AtOnce() throws Exception {
        List<RawClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS; i++) {
                held.add(new RawClient(proxy.server.port())); // counted from accept: no startup needed
            }
            try (RawClient extra = new RawClient(proxy.server.port())) {
                assertThat(extra.readToEnd()).singleElement().satisfies(m -> {
                    assertThat(m.field('S')).isEqualTo("FATAL");
                    assertThat(m.field('C')).isEqualTo("53300");
                    assertThat(m.field('M')).isEqualTo("too many connections from this address");
                });
            }
        } finally {
            for (RawClient c : held) {
                c.close();
            }
        }
        // The closed connections are given back: a new one is served again.
        await(() -> {
            try (RawClient again = new RawClient(proxy.server.port())) {
                again.startup(proxy.pg.user(), db);
                List<RawClient.Message> answer = again.readUntilReady();
                return !answer.isEmpty() && answer.get(answer.size() - 1).type() == 'Z';
            } catch (java.io.IOException e) {
                return false;
            }
        }, "a connection to be accepted again");
    }

    @Test
    void aPartialMessageBeyondTheSharedBudgetGets53200AndTheBytesAreGivenBack() throws Exception {
        try (RawClient holder = new RawClient(proxy.server.port());
             RawClient offender = new RawClient(proxy.server.port())) {
            holder.startup(proxy.pg.user(), db);
            holder.readUntilReady();
            offender.startup(proxy.pg.user(), db);
            offender.readUntilReady();

            int held = (int) (BUDGET * 3 / 4);
            byte[] fits = query(held + 1000);
            holder.send(java.util.Arrays.copyOf(fits, held)); // a message that has not ended yet
            await(() -> proxy.server.bufferedBytes() >= held, "the partial message to be buffered");

            offender.send(java.util.Arrays.copyOf(query(200_000), (int) (BUDGET / 2)));
            assertThat(offender.readToEnd()).last().satisfies(m -> {
                assertThat(m.field('C')).isEqualTo("53200");
                assertThat(m.field('M')).startsWith("out of memory: pgseal is out of buffer space for partial messages");
            });
            assertThat(proxy.server.bufferedBytes()).isLessThanOrEqualTo(BUDGET);

            holder.send(java.util.Arrays.copyOfRange(fits, held, fits.length)); // the holder finishes its message
            assertThat(holder.readUntilReady()).extracting(RawClient.Message::type).containsExactly('T', 'D', 'C', 'Z');
            await(() -> proxy.server.bufferedBytes() == 0, "the budget to be given back");
        }
    }
}
