package dev.pgseal.keys.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.audit.AuditEvent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules on a clock the test moves: what fires, what does not, de-duplication per rule and
 * subject per window, the alert's audit event, and the webhook against a real HTTP receiver.
 */
class AlertsTest {

    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AuditEvent> written = new CopyOnWriteArrayList<>();
    private final List<Alerts> opened = new ArrayList<>();
    private HttpServer receiver;

    @AfterEach
    void close() {
        opened.forEach(Alerts::close);
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private Alerts alerts(AlertSettings settings) {
        Alerts a = new Alerts(settings, Clock.fixed(T0, ZoneOffset.UTC), written::add,
                () -> new Alerts.HsmReading(true, "ok", 0));
        opened.add(a);
        return a;
    }

    private static AuditEvent deniedRequest(String actor, String remote, int status) {
        return new AuditEvent(actor, "api.keys.rotate", "ring:x", AuditEvent.Outcome.DENIED,
                Map.of("remote", remote, "status", status, "reason", "nope"));
    }

    private static AuditEvent decrypt(String actor) {
        return AuditEvent.success(actor, "api.keys.decrypt", "ring:patients", Map.of("status", 200));
    }

    @Test
    void tenBadTokensInARowFromOneAddressFireOneAlert() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        List<Alert> fired = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fired.addAll(a.evaluate(deniedRequest("anonymous", "10.0.0.7:" + (40000 + i), 401), T0.plusSeconds(i)));
        }
        assertThat(fired).hasSize(1);
        Alert alert = fired.get(0);
        assertThat(alert.rule()).isEqualTo(AlertRule.DENIED_REQUESTS);
        assertThat(alert.subject()).isEqualTo("address:10.0.0.7");
        assertThat(alert.at()).isEqualTo(T0.plusSeconds(4)); // the fifth
        assertThat(alert.details()).containsEntry("count", 5).containsEntry("threshold", 5)
                .containsEntry("last_status", 401);
    }

    @Test
    void deniedRequestsOfOnePrincipalCountAcrossAddressesAndAnonymousHasNoPrincipal() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        List<Alert> fired = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fired.addAll(a.evaluate(deniedRequest("mallory", "10.0.1." + i + ":5000", 403), T0.plusSeconds(i)));
        }
        assertThat(fired).extracting(Alert::subject).containsExactly("principal:mallory");
    }

    @Test
    void normalTrafficAndSparseDenialsDoNotFire() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        List<Alert> fired = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // five minutes of one successful call a second
            fired.addAll(a.evaluate(AuditEvent.success("alice", "api.keys.list", "keys",
                    Map.of("remote", "10.0.0.8:1", "status", 200)), T0.plusSeconds(i)));
            if (i % 20 == 0) { // one denial every 20 s: at most 4 in any 60 s, under the threshold of 5
                fired.addAll(a.evaluate(deniedRequest("alice", "10.0.0.8:1", 403), T0.plusSeconds(i)));
            }
        }
        // Denied key requests of the key service itself are not admin requests.
        for (int i = 0; i < 10; i++) {
            fired.addAll(a.evaluate(new AuditEvent("pgseal", "key.request", "ring:x/v1", AuditEvent.Outcome.DENIED,
                    Map.of("reason", "compromised")), T0.plusSeconds(400 + i)));
        }
        assertThat(fired).isEmpty();
    }

    @Test
    void aBurstThatGoesOnFiresOncePerWindow() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        List<Alert> fired = new ArrayList<>();
        for (int i = 0; i < 150; i++) { // one denial a second for 150 s
            fired.addAll(a.evaluate(deniedRequest("anonymous", "10.0.0.9:1", 401), T0.plusSeconds(i)));
        }
        assertThat(fired).extracting(Alert::at)
                .containsExactly(T0.plusSeconds(4), T0.plusSeconds(64), T0.plusSeconds(124));
    }

    @Test
    void theDeniedThresholdAndWindowAreConfigurable() {
        AlertSettings s = new AlertSettings(new AlertSettings.DeniedRequests(true, 3, Duration.ofSeconds(10)),
                AlertSettings.DecryptVolume.DEFAULT, AlertSettings.EventRule.DEFAULT, AlertSettings.EventRule.DEFAULT,
                AlertSettings.ConfigChange.DEFAULT, AlertSettings.HsmError.DEFAULT, Optional.empty());
        Alerts a = alerts(s);
        // 3 in 12 s: not within 10 s
        assertThat(a.evaluate(deniedRequest("anonymous", "h:1", 401), T0)).isEmpty();
        assertThat(a.evaluate(deniedRequest("anonymous", "h:1", 401), T0.plusSeconds(6))).isEmpty();
        assertThat(a.evaluate(deniedRequest("anonymous", "h:1", 401), T0.plusSeconds(12))).isEmpty();
        assertThat(a.evaluate(deniedRequest("anonymous", "h:1", 401), T0.plusSeconds(13))).hasSize(1);
    }

    @Test
    void decryptVolumeFiresOverFiveTimesThePrincipalsOwnHourlyMeanAndNotBelow() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        // 24 hours of one decrypt every 90 s (40 an hour), then a quiet hour.
        for (int i = 0; i < 24 * 40; i++) {
            assertThat(a.evaluate(decrypt("app1"), T0.plusSeconds(i * 90L))).isEmpty();
        }
        Instant t = T0.plus(Duration.ofHours(25));
        // A burst: about 5 x 40 calls within the hour are tolerated; the mean is just under 40 (the
        // sliding baseline has lost the first minutes), so the alert comes near the 199th call.
        List<Alert> fired = new ArrayList<>();
        int call = 0;
        while (fired.isEmpty() && call < 400) {
            call++;
            fired.addAll(a.evaluate(decrypt("app1"), t.plusSeconds(call * 2L)));
        }
        assertThat(call).isBetween(191, 201);
        Alert alert = fired.get(0);
        assertThat(alert.rule()).isEqualTo(AlertRule.DECRYPT_VOLUME);
        assertThat(alert.subject()).isEqualTo("principal:app1");
        assertThat(alert.details()).containsEntry("count", (long) call).containsEntry("history", true);
        assertThat((String) alert.details().get("baseline_mean")).matches("39\\.[5-9]|40\\.0");
        // More of the same burst, within the hour: de-duplicated.
        for (int i = 0; i < 300; i++) {
            assertThat(a.evaluate(decrypt("app1"), t.plusSeconds(900 + i))).isEmpty();
        }
    }

    @Test
    void aPrincipalWithoutHistoryFiresOnlyAtFactorTimesTheFloor() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        for (int i = 0; i < 499; i++) { // a quiet principal's first calls, and a busy one's after a restart
            assertThat(a.evaluate(decrypt("app2"), T0.plusSeconds(i))).isEmpty();
        }
        List<Alert> fired = a.evaluate(decrypt("app2"), T0.plusSeconds(600));
        assertThat(fired).extracting(Alert::subject).containsExactly("principal:app2");
        assertThat(fired.get(0).details()).containsEntry("count", 500L).containsEntry("history", false);
    }

    @Test
    void decryptVolumeThresholdsAreConfigurable() {
        AlertSettings s = new AlertSettings(AlertSettings.DeniedRequests.DEFAULT, new AlertSettings.DecryptVolume(true,
                2.0, 10, Duration.ofMinutes(10), Duration.ofMinutes(30), List.of("api.kms.decrypt")),
                AlertSettings.EventRule.DEFAULT, AlertSettings.EventRule.DEFAULT, AlertSettings.ConfigChange.DEFAULT,
                AlertSettings.HsmError.DEFAULT, Optional.empty());
        Alerts a = alerts(s);
        AuditEvent kms = AuditEvent.success("app3", "api.kms.decrypt", "ring:p", Map.of());
        // 10 minutes of history at 10 per 10 minutes (outside the current window once the burst starts).
        for (int i = 0; i < 10; i++) {
            assertThat(a.evaluate(kms, T0.plusSeconds(i * 60L))).isEmpty();
        }
        // After a quiet gap the mean over its 10 s buckets of history is 600 / 62 = 9.7 per window.
        Instant t = T0.plus(Duration.ofMinutes(20));
        for (int i = 0; i < 19; i++) { // up to 2 x 9.7
            assertThat(a.evaluate(kms, t.plusSeconds(i))).isEmpty();
        }
        assertThat(a.evaluate(kms, t.plusSeconds(19))).hasSize(1); // the 20th
        assertThat(a.evaluate(decrypt("app3"), t.plusSeconds(20))).isEmpty(); // not a configured action
    }

    @Test
    void decryptVolumeOfASteadyPrincipalNeverFiresAndOtherActionsDoNotCount() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        for (int i = 0; i < 48 * 300; i++) { // 300 an hour for two days: over the floor, never over 5x the mean
            assertThat(a.evaluate(decrypt("steady"), T0.plusSeconds(i * 12L))).isEmpty();
        }
        for (int i = 0; i < 600; i++) {
            assertThat(a.evaluate(AuditEvent.success("quiet", "api.keys.encrypt", "ring:p", Map.of()),
                    T0.plusSeconds(i))).isEmpty();
        }
    }

    @Test
    void deletionScheduledCompromisedAndConfigChangeFireOncePerSubjectPerWindow() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        AuditEvent deletion = AuditEvent.success("alice", "deletion.schedule", "ring:patients/v1",
                Map.of("due_at", "2026-03-08T00:00:00Z", "waiting_days", 7L));
        List<Alert> fired = new ArrayList<>(a.evaluate(deletion, T0));
        fired.addAll(a.evaluate(deletion, T0.plusSeconds(1))); // the same subject within the window
        fired.addAll(a.evaluate(AuditEvent.success("alice", "deletion.schedule", "ring:patients/v2", Map.of()),
                T0.plusSeconds(2)));
        fired.addAll(a.evaluate(AuditEvent.success("alice", "version.state", "ring:patients/v1",
                Map.of("from", "deactivated", "to", "compromised")), T0.plusSeconds(3)));
        fired.addAll(a.evaluate(AuditEvent.success("alice", "version.state", "ring:patients/v1",
                Map.of("from", "active", "to", "deactivated")), T0.plusSeconds(4)));
        fired.addAll(a.evaluate(AuditEvent.success("pgseal", "config.change", "policy /etc/pgseal/policy.yaml",
                Map.of("keys", "patients")), T0.plusSeconds(5)));
        fired.addAll(a.evaluate(new AuditEvent("alice", "deletion.schedule", "ring:x", AuditEvent.Outcome.DENIED,
                Map.of("reason", "bad period")), T0.plusSeconds(6)));
        assertThat(fired).extracting(f -> f.rule().id() + " " + f.subject()).containsExactly(
                "deletion_scheduled ring:patients/v1",
                "deletion_scheduled ring:patients/v2",
                "key_compromised ring:patients/v1",
                "config_change policy /etc/pgseal/policy.yaml");
        assertThat(fired.get(0).message()).contains("alice").contains("due at 2026-03-08T00:00:00Z");
        assertThat(fired.get(0).details()).containsEntry("event_waiting_days", 7L);
        assertThat(a.evaluate(deletion, T0.plusSeconds(61))).hasSize(1); // the next window
    }

    @Test
    void hsmErrorsFireFromTheProbeAndFromFailedUnwrapsOncePerWindow() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        assertThat(a.checkHsm(new Alerts.HsmReading(true, "ok", 3), T0)).isEmpty(); // first reading: a baseline
        assertThat(a.checkHsm(new Alerts.HsmReading(true, "ok", 3), T0.plusSeconds(30))).isEmpty();
        List<Alert> down = a.checkHsm(new Alerts.HsmReading(false, "CKR_TOKEN_NOT_PRESENT", 3), T0.plusSeconds(60));
        assertThat(down).extracting(Alert::subject).containsExactly("master-key-store");
        assertThat(down.get(0).message()).contains("CKR_TOKEN_NOT_PRESENT");
        assertThat(a.checkHsm(new Alerts.HsmReading(false, "still down", 3), T0.plusSeconds(90))).isEmpty();
        assertThat(a.evaluate(new AuditEvent("pgseal", "key.unwrap", "ring:p/v1", AuditEvent.Outcome.FAILURE,
                Map.of("reason", "token removed")), T0.plusSeconds(100))).isEmpty(); // same subject, same window
        List<Alert> unwraps = a.checkHsm(new Alerts.HsmReading(true, "ok", 5), T0.plusSeconds(60 + 301));
        assertThat(unwraps).hasSize(1);
        assertThat(unwraps.get(0).details()).containsEntry("failed_unwraps", 2L);
    }

    @Test
    void firingWritesTheAuditEventAndTellsObserversAndIgnoresItsOwnEvents() {
        Alerts a = alerts(AlertSettings.DEFAULT);
        List<Alert> seen = new CopyOnWriteArrayList<>();
        a.addObserver(new AlertObserver() {
            @Override
            public void fired(Alert alert) {
                seen.add(alert);
            }
        });
        a.addObserver(new AlertObserver() {
            @Override
            public void fired(Alert alert) {
                throw new IllegalStateException("a broken observer does not stop the others");
            }
        });
        for (int i = 0; i < 6; i++) {
            a.onAudit(i, deniedRequest("anonymous", "10.0.0.1:1", 401));
        }
        assertThat(a.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(seen).hasSize(1);
        assertThat(written).hasSize(1);
        AuditEvent e = written.get(0);
        assertThat(e.actor()).isEqualTo("pgseal");
        assertThat(e.action()).isEqualTo("alert.denied_requests");
        assertThat(e.object()).isEqualTo("address:10.0.0.1");
        assertThat(e.details()).containsEntry("rule", "denied_requests").containsKey("message");
        // The alert's own audit event, handed back by the listener, is not evaluated again.
        assertThat(a.evaluate(e, T0)).isEmpty();
    }

    @Test
    void anAuditLogThatCannotBeWrittenDoesNotStopTheAlert() {
        Alerts a = new Alerts(AlertSettings.DEFAULT, Clock.fixed(T0, ZoneOffset.UTC), e -> {
            throw new IllegalStateException("HSM down");
        }, () -> new Alerts.HsmReading(true, "ok", 0));
        opened.add(a);
        AtomicInteger fired = new AtomicInteger();
        a.addObserver(new AlertObserver() {
            @Override
            public void fired(Alert alert) {
                fired.incrementAndGet();
            }
        });
        a.fireAll(a.checkHsm(new Alerts.HsmReading(false, "down", 0), T0));
        assertThat(fired).hasValue(1);
    }

    @Test
    void theWebhookPostsSignedJsonToARealReceiver(@TempDir Path dir) throws Exception {
        BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new String[] {new String(body, StandardCharsets.UTF_8),
                    ex.getRequestHeaders().getFirst("X-Pgseal-Signature"), ex.getRequestMethod(),
                    ex.getRequestHeaders().getFirst("Content-Type")});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        Path secret = Files.writeString(dir.resolve("hook.secret"), "s3cret\n");
        AlertSettings s = AlertSettings.DEFAULT.withWebhook(Optional.of(new AlertSettings.Webhook(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), Duration.ofSeconds(2), 1, 10,
                Optional.of(SecretSource.file(secret)))));
        Alerts a = alerts(s);
        a.fireAll(a.checkHsm(new Alerts.HsmReading(false, "CKR_DEVICE_ERROR", 0), T0));
        String[] r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r[2]).isEqualTo("POST");
        assertThat(r[3]).isEqualTo("application/json");
        JsonNode body = JSON.readTree(r[0]);
        assertThat(body.path("source").asText()).isEqualTo("pgseal");
        assertThat(body.path("rule").asText()).isEqualTo("hsm_error");
        assertThat(body.path("subject").asText()).isEqualTo("master-key-store");
        assertThat(body.path("at").asText()).isEqualTo(T0.toString());
        assertThat(body.path("message").asText()).contains("CKR_DEVICE_ERROR");
        assertThat(body.path("details").path("probe").asText()).isEqualTo("down");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(r[1]).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(r[0].getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aFailingWebhookIsRetriedALimitedNumberOfTimesReportedAndNeverBlocksTheRules() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            attempts.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        receiver.start();
        AlertSettings s = AlertSettings.DEFAULT.withWebhook(Optional.of(new AlertSettings.Webhook(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), Duration.ofSeconds(2), 2, 10,
                Optional.empty())));
        Alerts a = alerts(s);
        BlockingQueue<String> failures = new LinkedBlockingQueue<>();
        a.addObserver(new AlertObserver() {
            @Override
            public void webhookFailed(Alert alert, String reason) {
                failures.add(alert.rule().id() + ": " + reason);
            }
        });
        long start = System.nanoTime();
        a.fireAll(a.checkHsm(new Alerts.HsmReading(false, "down", 0), T0));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        String failure = failures.poll(15, TimeUnit.SECONDS);
        assertThat(failure).isEqualTo("hsm_error: HTTP 503 after 3 attempt(s)");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aWebhookThatRefusesTheAlertIsNotRetriedAndAnUnreachableOneIsReported() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            attempts.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(400, -1);
            ex.close();
        });
        receiver.start();
        BlockingQueue<String> failures = new LinkedBlockingQueue<>();
        AlertObserver observer = new AlertObserver() {
            @Override
            public void webhookFailed(Alert alert, String reason) {
                failures.add(reason);
            }
        };
        Alerts refused = alerts(AlertSettings.DEFAULT.withWebhook(Optional.of(AlertSettings.Webhook.to(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")))));
        refused.addObserver(observer);
        refused.fireAll(refused.checkHsm(new Alerts.HsmReading(false, "down", 0), T0));
        assertThat(failures.poll(10, TimeUnit.SECONDS)).isEqualTo("HTTP 400 after 3 attempt(s)");
        assertThat(attempts).hasValue(1);

        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Alerts unreachable = alerts(AlertSettings.DEFAULT.withWebhook(Optional.of(new AlertSettings.Webhook(
                URI.create("http://127.0.0.1:" + closedPort + "/hook"), Duration.ofSeconds(1), 0, 10, Optional.empty()))));
        unreachable.addObserver(observer);
        unreachable.fireAll(unreachable.checkHsm(new Alerts.HsmReading(false, "down", 0), T0));
        assertThat(failures.poll(10, TimeUnit.SECONDS)).startsWith("ConnectException").endsWith("after 1 attempt(s)");
    }

    @Test
    void settingsRejectNonsense() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AlertSettings.DeniedRequests(true, 0,
                Duration.ofSeconds(1))).hasMessageContaining("threshold");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AlertSettings.DecryptVolume(true, 0.5, 10,
                Duration.ofHours(1), Duration.ofHours(2), List.of("x"))).hasMessageContaining("factor");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AlertSettings.Webhook.to(URI.create("ftp://x/")))
                .hasMessageContaining("http");
        assertThat(AlertRule.parse("hsm_error")).isEqualTo(AlertRule.HSM_ERROR);
        assertThat(DeniedRequestsRule.host("0:0:0:0:0:0:0:1:4242")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(DeniedRequestsRule.host("10.1.2.3:80")).isEqualTo("10.1.2.3");
    }
}
