package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.APP;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static dev.pgseal.keys.access.Role.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.alerts.AlertRule;
import dev.pgseal.keys.alerts.AlertSettings;
import dev.pgseal.keys.alerts.Alerts;
import dev.pgseal.keys.audit.AuditQuery;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules in a running admin server (key service on the software keystore, real PostgreSQL
 * store, alerts over its audit stream, a real HTTP receiver for the webhook): normal traffic raises
 * nothing; a burst of bad tokens raises one alert, seen in the audit log, {@code GET /v1/alerts},
 * the webhook and {@code pgseal_alerts_total}; deletions, compromised versions and configuration
 * changes raise theirs; {@code /metrics} holds the pool, cache and alert families and they move.
 * The order matters: the burst's address is de-duplicated for a minute after it fires.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static AdminFixture admin;
    static Alerts alerts;
    static HttpServer receiver;
    static final BlockingQueue<JsonNode> hooks = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            hooks.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        admin = new AdminFixture(dir);
        AlertSettings settings = AlertSettings.DEFAULT.withWebhook(Optional.of(AlertSettings.Webhook.to(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"))));
        alerts = Alerts.start(settings, admin.keys(), Clock.systemUTC());
        admin.server().metrics().bindAlerts(alerts);
    }

    @AfterAll
    static void stop() {
        if (alerts != null) {
            alerts.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private static List<AuditQuery.Entry> alertEvents(String action) {
        return admin.keys().auditEvents(new AuditQuery(null, Alerts.ACTOR, action, AuditQuery.MAX_LIMIT));
    }

    private static List<JsonNode> webhooksWithin(Duration wait) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        JsonNode first = hooks.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
            out.add(first);
            Thread.sleep(500); // anything else the same burst would have sent
            hooks.drainTo(out);
        }
        return out;
    }

    private static Map<String, PrometheusText.Family> scrape() {
        AdminFixture.Answer a = admin.send("GET", "/metrics", null, null);
        assertThat(a.status()).isEqualTo(200);
        return PrometheusText.parse(a.body());
    }

    private static double sample(Map<String, PrometheusText.Family> f, String family, String sample,
            Map<String, String> labels) {
        return f.get(family).samples().stream()
                .filter(s -> s.name().equals(sample) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static double alertsTotal(String rule) {
        return sample(scrape(), "pgseal_alerts_total", "pgseal_alerts_total", Map.of("rule", rule));
    }

    private static JsonNode listAlerts(String query) throws Exception {
        AdminFixture.Answer a = admin.send("GET", "/v1/alerts" + query, null, admin.token(AUDITOR));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return JSON.readTree(a.body()).path("alerts");
    }

    @Test
    @Order(1)
    void normalTrafficRaisesNoAlert() throws Exception {
        String ring = "alerts-normal";
        assertThat(admin.send("POST", "/v1/keys", "{\"name\":\"" + ring + "\"}", admin.token(ADMIN)).status())
                .isEqualTo(201);
        for (int i = 0; i < 20; i++) {
            assertThat(admin.send("GET", "/v1/keys", null, admin.token(i % 2 == 0 ? ADMIN : AUDITOR)).status())
                    .isEqualTo(200);
        }
        assertThat(admin.send("POST", "/v1/keys/" + ring + "/rotate", null, admin.token(OPERATOR)).status())
                .isEqualTo(200);
        assertThat(admin.send("GET", "/v1/audit?limit=5", null, admin.token(AUDITOR)).status()).isEqualTo(200);
        assertThat(admin.send("GET", "/v1/alerts", null, admin.token(AUDITOR)).status()).isEqualTo(200);
        // A few mistakes, under the threshold: an operator trying an admin call, twice; one mistyped token.
        assertThat(admin.send("POST", "/v1/keys", "{\"name\":\"nope\"}", admin.token(OPERATOR)).status()).isEqualTo(403);
        assertThat(admin.send("POST", "/v1/keys", "{\"name\":\"nope\"}", admin.token(OPERATOR)).status()).isEqualTo(403);
        assertThat(admin.send("GET", "/v1/keys", null, admin.token(ADMIN) + "x").status()).isEqualTo(401);

        assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(alertEvents("alert.*")).isEmpty();
        assertThat(listAlerts("")).isEmpty();
        assertThat(webhooksWithin(Duration.ofSeconds(1))).isEmpty();
        Map<String, PrometheusText.Family> m = scrape();
        for (AlertRule r : AlertRule.values()) {
            assertThat(sample(m, "pgseal_alerts_total", "pgseal_alerts_total", Map.of("rule", r.id())))
                    .as(r.id()).isZero();
        }
        assertThat(m.get("pgseal_alerts_total").samples()).hasSize(AlertRule.values().length);
    }

    @Test
    @Order(2)
    void tenBadTokensInARowRaiseOneAlertInTheAuditLogTheApiTheWebhookAndTheCounter() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(admin.send("GET", "/v1/keys", null, "pgs_0000000000000000_wrong" + i).status()).isEqualTo(401);
        }
        assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();

        List<AuditQuery.Entry> events = alertEvents("alert.denied_requests");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).object()).isEqualTo("address:127.0.0.1");
        assertThat(events.get(0).details()).containsEntry("threshold", 5).containsEntry("last_status", 401);

        JsonNode listed = listAlerts("?rule=denied_requests");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("subject").asText()).isEqualTo("address:127.0.0.1");
        assertThat(listed.get(0).path("message").asText()).contains("denied admin requests").contains("127.0.0.1");
        assertThat(listed.get(0).path("id").asLong()).isEqualTo(events.get(0).id());

        List<JsonNode> sent = webhooksWithin(Duration.ofSeconds(10));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).path("source").asText()).isEqualTo("pgseal");
        assertThat(sent.get(0).path("rule").asText()).isEqualTo("denied_requests");
        assertThat(sent.get(0).path("subject").asText()).isEqualTo("address:127.0.0.1");
        assertThat(sent.get(0).path("details").path("window_seconds").asInt()).isEqualTo(60);

        assertThat(alertsTotal("denied_requests")).isEqualTo(1.0);
    }

    @Test
    @Order(3)
    void aScheduledDeletionAndACompromisedVersionRaiseTheirAlerts() throws Exception {
        String ring = "alerts-lifecycle";
        assertThat(admin.send("POST", "/v1/keys", "{\"name\":\"" + ring + "\"}", admin.token(ADMIN)).status())
                .isEqualTo(201);
        assertThat(admin.send("POST", "/v1/keys/" + ring + "/rotate", null, admin.token(ADMIN)).status()).isEqualTo(200);
        assertThat(admin.send("POST", "/v1/keys/" + ring + "/versions/1/compromised", null, admin.token(ADMIN),
                admin.otp(ADMIN)).status())
                .isEqualTo(200);
        assertThat(admin.send("POST", "/v1/keys/" + ring + "/schedule-deletion", "{\"days\": 7}", admin.token(ADMIN),
                admin.otp(ADMIN))
                .status()).isEqualTo(200);
        assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();

        assertThat(alertEvents("alert.key_compromised")).extracting(AuditQuery.Entry::object)
                .containsExactly("ring:" + ring + "/v1");
        assertThat(alertEvents("alert.deletion_scheduled")).extracting(AuditQuery.Entry::object)
                .containsExactly("ring:" + ring);
        JsonNode deletion = listAlerts("?rule=deletion_scheduled").get(0);
        assertThat(deletion.path("message").asText()).contains(AdminFixture.principal(ADMIN)).contains("due at");
        assertThat(deletion.path("details").path("actor").asText()).isEqualTo(AdminFixture.principal(ADMIN));

        List<JsonNode> sent = webhooksWithin(Duration.ofSeconds(10));
        assertThat(sent).extracting(n -> n.path("rule").asText() + " " + n.path("subject").asText())
                .containsExactlyInAnyOrder("key_compromised ring:" + ring + "/v1", "deletion_scheduled ring:" + ring);
        assertThat(alertsTotal("key_compromised")).isEqualTo(1.0);
        assertThat(alertsTotal("deletion_scheduled")).isEqualTo(1.0);
    }

    @Test
    @Order(4)
    void aConfigurationChangeRaisesItsAlert() throws Exception {
        KeyService keys = admin.keys();
        keys.recordConfigChange(KeyService.SYSTEM_ACTOR, "policy /etc/pgseal/policy.yaml",
                Map.of("changed_tables", "public.patients", "keys", "patients"));
        assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();
        JsonNode listed = listAlerts("?rule=config_change");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("subject").asText()).isEqualTo("policy /etc/pgseal/policy.yaml");
        assertThat(listed.get(0).path("details").path("event_changed_tables").asText()).isEqualTo("public.patients");
        assertThat(webhooksWithin(Duration.ofSeconds(10))).extracting(n -> n.path("rule").asText())
                .containsExactly("config_change");
        assertThat(alertsTotal("config_change")).isEqualTo(1.0);
    }

    @Test
    @Order(5)
    void theAlertListFiltersByRuleTimeAndLimitAndIsForAdminsAndAuditorsOnly() throws Exception {
        assertThat(listAlerts("")).hasSize(4);
        assertThat(listAlerts("?limit=1")).hasSize(1);
        assertThat(listAlerts("?limit=1").get(0).path("rule").asText()).isEqualTo("config_change"); // the newest
        assertThat(listAlerts("?since=2000-01-01T00:00:00Z").get(0).path("rule").asText()).isEqualTo("denied_requests");
        assertThat(listAlerts("?since=2999-01-01T00:00:00Z")).isEmpty();
        assertThat(listAlerts("?rule=hsm_error")).isEmpty();
        assertThat(admin.send("GET", "/v1/alerts", null, admin.token(ADMIN)).status()).isEqualTo(200);
        assertThat(admin.send("GET", "/v1/alerts?rule=everything", null, admin.token(AUDITOR)).status()).isEqualTo(400);
        assertThat(admin.send("GET", "/v1/alerts?since=yesterday", null, admin.token(AUDITOR)).status()).isEqualTo(400);
        assertThat(admin.send("GET", "/v1/alerts?limit=0", null, admin.token(AUDITOR)).status()).isEqualTo(400);
        assertThat(admin.send("GET", "/v1/alerts", null, admin.token(OPERATOR)).status()).isEqualTo(403);
        assertThat(admin.send("GET", "/v1/alerts", null, admin.token(APP)).status()).isEqualTo(403);
        assertThat(admin.send("GET", "/v1/alerts", null, null).status()).isEqualTo(401);
        assertThat(admin.send("POST", "/v1/alerts", null, admin.token(ADMIN)).status()).isEqualTo(405);
    }

    @Test
    @Order(6)
    void metricsHoldThePoolTheKeyCacheTheJvmNettyAndTheAlertsAndTheyMove() throws Exception {
        Map<String, PrometheusText.Family> before = scrape();
        assertThat(before).containsKeys("hikaricp_connections", "hikaricp_connections_active",
                "hikaricp_connections_acquire_seconds", "hikaricp_connections_max", "cache_gets_total", "cache_size",
                "jvm_memory_used_bytes", "jvm_classes_loaded_classes", "jvm_threads_live_threads", "process_uptime_seconds",
                "netty_allocator_memory_used", "pgseal_alerts_total", "pgseal_alerts_webhook_failures_total",
                "pgseal_alerts_dropped_events_total", "pgseal_admin_requests_seconds");
        Map<String, String> pool = Map.of("pool", "pgseal-key-store");
        assertThat(sample(before, "hikaricp_connections_max", "hikaricp_connections_max", pool)).isPositive();
        double acquired = sample(before, "hikaricp_connections_acquire_seconds",
                "hikaricp_connections_acquire_seconds_count", pool);
        Map<String, String> misses = Map.of("cache", "data_keys", "result", "miss");
        Map<String, String> hits = Map.of("cache", "data_keys", "result", "hit");
        double missed = sample(before, "cache_gets_total", "cache_gets_total", misses);
        double hit = sample(before, "cache_gets_total", "cache_gets_total", hits);

        KeyService keys = admin.keys();
        keys.createRing("alerts-metrics", null, "test");
        keys.encryptionKey("alerts-metrics"); // an unwrap: a miss
        keys.encryptionKey("alerts-metrics"); // from memory: a hit
        for (int i = 0; i < 3; i++) {
            admin.send("GET", "/v1/keys", null, admin.token(ADMIN));
        }

        Map<String, PrometheusText.Family> after = scrape();
        assertThat(sample(after, "hikaricp_connections_acquire_seconds", "hikaricp_connections_acquire_seconds_count",
                pool)).isGreaterThan(acquired);
        assertThat(sample(after, "cache_gets_total", "cache_gets_total", misses)).isEqualTo(missed + 1);
        assertThat(sample(after, "cache_gets_total", "cache_gets_total", hits)).isEqualTo(hit + 1);
        assertThat(sample(after, "pgseal_alerts_total", "pgseal_alerts_total", Map.of())).isEqualTo(4.0);
    }
}
