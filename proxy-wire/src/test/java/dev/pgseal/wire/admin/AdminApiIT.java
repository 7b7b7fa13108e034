package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.APP;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static dev.pgseal.keys.access.Role.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API over HTTP against a key service on the software keystore and a real PostgreSQL
 * store: every endpoint with every role (allowed: the call works; denied: 403 with a reason, nothing
 * changes), 401 for missing, wrong and revoked tokens, error bodies, the audit event of every call,
 * health, and {@code /metrics} read by a strict Prometheus text-format parser.
 */
class AdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger RINGS = new AtomicInteger();

    @TempDir
    static Path dir;

    static AdminFixture admin;

    @BeforeAll
    static void start() {
        admin = new AdminFixture(dir);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    /**
     * One endpoint: what to set up (returns the path and body), who may call it, what success
     * answers, and how to see that a denied call changed nothing.
     */
    record Endpoint(String action, String method, Set<Role> allowed, int success,
            BiFunction<KeyService, String, String[]> setup) {
        @Override
        public String toString() {
            return action;
        }
    }

    /** A ring with v1 deactivated, v2 primary and v3 pre-active. */
    private static String ring(KeyService keys, String tag) {
        String name = "r" + RINGS.incrementAndGet() + "-" + tag;
        keys.createRing(name, null, "test-setup");
        keys.rotate(name, "test-setup");
        keys.addVersion(name, "test-setup");
        return name;
    }

    static List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("keys.list", "GET", EnumSet.of(ADMIN, OPERATOR, AUDITOR), 200,
                        (k, t) -> new String[] {"/v1/keys", null}),
                new Endpoint("keys.show", "GET", EnumSet.of(ADMIN, OPERATOR, AUDITOR), 200,
                        (k, t) -> new String[] {"/v1/keys/" + ring(k, t), null}),
                new Endpoint("keys.create", "POST", EnumSet.of(ADMIN), 201,
                        (k, t) -> new String[] {"/v1/keys", "{\"name\":\"new-" + RINGS.incrementAndGet() + "-" + t
                                + "\",\"rotation_period\":\"90d\"}"}),
                new Endpoint("keys.rotate", "POST", EnumSet.of(ADMIN, OPERATOR), 200,
                        (k, t) -> new String[] {"/v1/keys/" + ring(k, t) + "/rotate", null}),
                new Endpoint("keys.deactivate", "POST", EnumSet.of(ADMIN), 200,
                        (k, t) -> new String[] {"/v1/keys/" + ring(k, t) + "/versions/3/deactivate", null}),
                new Endpoint("keys.compromised", "POST", EnumSet.of(ADMIN), 200,
                        (k, t) -> new String[] {"/v1/keys/" + ring(k, t) + "/versions/1/compromised", null}),
                new Endpoint("keys.schedule-deletion", "POST", EnumSet.of(ADMIN), 200,
                        (k, t) -> new String[] {"/v1/keys/" + ring(k, t) + "/schedule-deletion",
                            "{\"days\":7,\"version\":1}"}),
                new Endpoint("keys.cancel-deletion", "POST", EnumSet.of(ADMIN), 200, (k, t) -> {
                    String name = ring(k, t);
                    k.scheduleDeletion(name, OptionalInt.of(1), Duration.ofDays(7), "test-setup");
                    return new String[] {"/v1/keys/" + name + "/cancel-deletion", "{\"version\":1}"};
                }),
                new Endpoint("keys.min-decryption-version", "POST", EnumSet.of(ADMIN), 200,
                        (k, t) -> new String[] {"/v1/keys/" + ring(k, t) + "/min-decryption-version", "{\"version\":2}"}),
                new Endpoint("keys.destroy", "POST", EnumSet.of(ADMIN), 200, (k, t) -> {
                    String name = ring(k, t);
                    k.scheduleDeletion(name, OptionalInt.of(1), Duration.ofDays(7), "test-setup");
                    admin.makeDeletionsDue(name);
                    return new String[] {"/v1/keys/" + name + "/destroy", null};
                }),
                new Endpoint("master-keys.list", "GET", EnumSet.of(ADMIN, OPERATOR, AUDITOR), 200,
                        (k, t) -> new String[] {"/v1/master-keys", null}),
                new Endpoint("master-keys.rotate", "POST", EnumSet.of(ADMIN), 200,
                        (k, t) -> new String[] {"/v1/master-keys/rotate", null}),
                new Endpoint("audit.query", "GET", EnumSet.of(ADMIN, AUDITOR), 200,
                        (k, t) -> new String[] {"/v1/audit?limit=5&action=api.keys.list", null}),
                new Endpoint("audit.verify", "GET", EnumSet.of(ADMIN, AUDITOR), 200,
                        (k, t) -> new String[] {"/v1/audit/verify", null}),
                new Endpoint("tokens.list", "GET", EnumSet.of(ADMIN), 200,
                        (k, t) -> new String[] {"/v1/tokens", null}),
                new Endpoint("tokens.create", "POST", EnumSet.of(ADMIN), 201,
                        (k, t) -> new String[] {"/v1/tokens", "{\"name\":\"made-" + RINGS.incrementAndGet()
                                + "\",\"role\":\"auditor\"}"}),
                new Endpoint("tokens.revoke", "POST", EnumSet.of(ADMIN), 200, (k, t) -> new String[] {
                    "/v1/tokens/" + k.accessTokens().create("victim-" + RINGS.incrementAndGet(), APP, "test-setup")
                            .metadata().id() + "/revoke", null}));
    }

    static Stream<Arguments> everyEndpointWithEveryRole() {
        List<Arguments> out = new ArrayList<>();
        for (Endpoint e : endpoints()) {
            for (Role r : Role.values()) {
                out.add(Arguments.of(e, r));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("everyEndpointWithEveryRole")
    void everyEndpointAllowsItsRolesAndDeniesTheOthers(Endpoint e, Role role) throws Exception {
        KeyService keys = admin.keys();
        String[] call = e.setup().apply(keys, role.displayName());
        String before = stateOf(keys);

        // Every principal is enrolled and sends a fresh code: dangerous routes get past the second factor.
        AdminFixture.Answer a = admin.send(e.method(), call[0], call[1], admin.token(role), admin.otp(role));

        AuditQuery.Entry event = newestEvent(AdminFixture.principal(role), "api." + e.action());
        if (e.allowed().contains(role)) {
            assertThat(a.status()).as(a.body()).isEqualTo(e.success());
            assertThat(a.response().headers().firstValue("Content-Type")).hasValue("application/json");
            JSON.readTree(a.body());
            assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
        } else {
            assertThat(a.status()).as(a.body()).isEqualTo(403);
            JsonNode body = JSON.readTree(a.body());
            assertThat(body.path("error").asText()).isEqualTo("forbidden");
            assertThat(body.path("message").asText()).isEqualTo("role " + role.displayName() + " may not call "
                    + e.action() + " (allowed: " + String.join(", ", e.allowed().stream().sorted()
                            .map(Role::displayName).toList()) + ")");
            assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
            assertThat(event.details()).containsEntry("reason", body.path("message").asText());
            assertThat(stateOf(keys)).as("a denied call changes nothing").isEqualTo(before);
        }
        assertThat(event.details()).containsEntry("status", a.status()).containsEntry("method", e.method())
                .containsEntry("role", role.displayName());
    }

    /** Rings and tokens as the store has them (for "nothing changed"). */
    private static String stateOf(KeyService keys) {
        StringBuilder sb = new StringBuilder();
        for (KeyRing r : keys.listRings()) {
            sb.append(r.name()).append(r.deletionDueAt());
            r.versions().forEach(v -> sb.append(v.version()).append(v.state()).append(v.deletionDueAt()));
        }
        keys.accessTokens().list().forEach(t -> sb.append(t.id()).append(t.revokedAt()));
        return sb.toString();
    }

    private static AuditQuery.Entry newestEvent(String actor, String action) {
        List<AuditQuery.Entry> events = admin.keys().auditEvents(new AuditQuery(null, actor, action, 1));
        assertThat(events).as("an audit event by " + actor + " for " + action).hasSize(1);
        return events.get(0);
    }

    @Test
    void lifecycleCallsReachTheKeyServiceUnderTheCallersName() throws Exception {
        String name = ring(admin.keys(), "life");
        AdminFixture.Answer a = admin.send("POST", "/v1/keys/" + name + "/rotate", null, admin.token(OPERATOR));
        JsonNode ring = JSON.readTree(a.body()).path("ring");
        assertThat(ring.path("primary_version").asInt()).isEqualTo(4);
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "operator-p", "ring.rotate", 1))).hasSize(1);

        a = admin.send("POST", "/v1/keys/" + name + "/versions/1/compromised", null, admin.token(ADMIN),
                admin.otp(ADMIN));
        assertThat(a.status()).isEqualTo(200);
        assertThat(admin.keys().listRings().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow()
                .version(1).orElseThrow().state()).isEqualTo(KeyState.COMPROMISED);
        AuditQuery.Entry event = newestEvent("admin-p", "api.keys.compromised");
        assertThat(event.details()).containsEntry("second_factor", "totp");
    }

    @Test
    void keysListingShowsStatesPrimaryRotationAndCounts() throws Exception {
        admin.send("POST", "/v1/keys", "{\"name\":\"listed\",\"rotation_period\":\"12h\"}", admin.token(ADMIN));
        JsonNode rings = JSON.readTree(admin.send("GET", "/v1/keys", null, admin.token(AUDITOR)).body()).path("rings");
        JsonNode listed = null;
        for (JsonNode r : rings) {
            if (r.path("name").asText().equals("listed")) {
                listed = r;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("rotation_period_seconds").asLong()).isEqualTo(43_200);
        assertThat(listed.path("primary_version").asInt()).isEqualTo(1);
        JsonNode v1 = listed.path("versions").get(0);
        assertThat(v1.path("state").asText()).isEqualTo("active");
        assertThat(v1.path("primary").asBoolean()).isTrue();
        assertThat(v1.has("encryptions")).isTrue();
        assertThat(admin.send("GET", "/v1/keys", null, admin.token(AUDITOR)).body()).doesNotContain("wrapped")
                .doesNotContain("material");
    }

    static Stream<Arguments> unauthenticated() {
        return Stream.of(
                Arguments.of("no token", null, "no token"),
                Arguments.of("not a token", "hello", "malformed token"),
                Arguments.of("unknown id", "pgs_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        "unknown token id 0123456789abcdef"));
    }

    @ParameterizedTest(name = "{0}: 401")
    @MethodSource("unauthenticated")
    void requestsWithoutAValidTokenGet401(String what, String token, String reason) throws Exception {
        AdminFixture.Answer a = admin.send("GET", "/v1/keys", null, token);

        assertThat(a.status()).isEqualTo(401);
        assertThat(a.response().headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"pgseal\"");
        JsonNode body = JSON.readTree(a.body());
        assertThat(body.path("error").asText()).isEqualTo("unauthorized");
        assertThat(body.path("message").asText()).isEqualTo("a valid bearer token is required (Authorization: Bearer <token>)");
        List<AuditQuery.Entry> events = admin.keys().auditEvents(new AuditQuery(null, "anonymous", "api.keys.list", 1));
        assertThat(events.get(0).outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
        assertThat(events.get(0).details()).containsEntry("reason", reason).containsEntry("status", 401);
    }

    @Test
    void aRevokedTokenIsRefusedOnTheVeryNextRequest() throws Exception {
        String token = admin.keys().accessTokens().create("short-lived", ADMIN, "test-setup").secretText();
        String id = token.split("_")[1];
        assertThat(admin.send("GET", "/v1/keys", null, token).status()).isEqualTo(200);

        AdminFixture.Answer revoked = admin.send("POST", "/v1/tokens/" + id + "/revoke", null, token);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);

        AdminFixture.Answer after = admin.send("GET", "/v1/keys", null, token);
        assertThat(after.status()).isEqualTo(401);
        AuditQuery.Entry refused = admin.keys().auditEvents(new AuditQuery(null, "anonymous", "api.keys.list", 1)).get(0);
        assertThat((String) refused.details().get("reason")).startsWith("token " + id + " was revoked");
    }

    @Test
    void aTokenCreatedThroughTheApiIsShownOnceAndWorks() throws Exception {
        AdminFixture.Answer a = admin.send("POST", "/v1/tokens", "{\"name\":\"api-made\",\"role\":\"operator\"}",
                admin.token(ADMIN));
        assertThat(a.status()).isEqualTo(201);
        String token = JSON.readTree(a.body()).path("token").asText();
        assertThat(admin.send("POST", "/v1/keys/" + ring(admin.keys(), "t") + "/rotate", null, token).status())
                .isEqualTo(200);
        assertThat(admin.send("GET", "/v1/tokens", null, admin.token(ADMIN)).body()).doesNotContain(token)
                .contains("api-made");
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("GET", "/v1/nothing", null, 404, "not_found", "no such endpoint: /v1/nothing"),
                Arguments.of("GET", "/v1/keys/no-such-ring", null, 404, "not_found", "no key ring named no-such-ring"),
                Arguments.of("POST", "/v1/keys/no-such-ring/rotate", null, 404, "not_found",
                        "no key ring named no-such-ring"),
                Arguments.of("DELETE", "/v1/keys", null, 405, "method_not_allowed",
                        "DELETE is not allowed on /v1/keys (allowed: GET, POST)"),
                Arguments.of("POST", "/v1/keys", "{\"name\":", 400, "bad_request", null),
                Arguments.of("POST", "/v1/keys", "[1]", 400, "bad_request", "the body must be a JSON object"),
                Arguments.of("POST", "/v1/keys", "{}", 400, "bad_request", "'name' is required"),
                Arguments.of("POST", "/v1/keys", "{\"name\":\"x\",\"rotation_period\":\"soon\"}", 400, "bad_request",
                        "'rotation_period' must look like 90d, 12h, 30m or 45s (more than 0), not 'soon'"),
                Arguments.of("POST", "/v1/keys/RING/schedule-deletion", "{\"days\":3}", 400, "bad_request",
                        "'days' must be a whole number of days from 7 to 30"),
                Arguments.of("POST", "/v1/keys/RING/schedule-deletion", "{\"days\":31}", 400, "bad_request",
                        "'days' must be a whole number of days from 7 to 30"),
                Arguments.of("POST", "/v1/keys/RING/versions/x/deactivate", null, 400, "bad_request",
                        "version must be a positive integer, not 'x'"),
                Arguments.of("POST", "/v1/keys/RING/versions/2/deactivate", null, 409, "conflict",
                        "key ring RING version 2 is the primary version: rotate the ring first, then deactivate it"),
                Arguments.of("POST", "/v1/keys/RING/cancel-deletion", null, 409, "conflict",
                        "key ring RING has no scheduled deletion"),
                Arguments.of("POST", "/v1/keys/RING/min-decryption-version", "{}", 400, "bad_request",
                        "'version' is required"),
                Arguments.of("POST", "/v1/keys/RING/min-decryption-version", "{\"version\":0}", 400, "bad_request",
                        "'version' must be a positive whole number"),
                Arguments.of("POST", "/v1/keys/RING/min-decryption-version", "{\"version\":9}", 409, "conflict", null),
                Arguments.of("POST", "/v1/keys/RING/destroy", null, 409, "conflict",
                        "key ring RING has no deletion due (none is scheduled)"),
                Arguments.of("GET", "/v1/audit?since=yesterday", null, 400, "bad_request",
                        "'since' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, not 'yesterday'"),
                Arguments.of("GET", "/v1/audit?limit=0", null, 400, "bad_request",
                        "'limit' must be a whole number from 1 to 1000"),
                Arguments.of("POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"root\"}", 400, "bad_request",
                        "unknown role 'root' (expected: admin, operator, auditor, app)"),
                Arguments.of("POST", "/v1/tokens/0000000000000000/revoke", null, 404, "not_found",
                        "no token with id '0000000000000000'"));
    }

    @ParameterizedTest(name = "{0} {1} {2}: {3}")
    @MethodSource("errors")
    void errorsAnswerWithAStatusAndAJsonBodyAndAreAudited(String method, String path, String body, int status,
            String code, String message) throws Exception {
        String ring = ring(admin.keys(), "err");
        String p = path.replace("RING", ring);
        AdminFixture.Answer a = admin.send(method, p, body, admin.token(ADMIN), admin.otp(ADMIN));

        assertThat(a.status()).as(a.body()).isEqualTo(status);
        JsonNode json = JSON.readTree(a.body());
        assertThat(json.path("error").asText()).isEqualTo(code);
        if (message != null) {
            assertThat(json.path("message").asText()).isEqualTo(message.replace("RING", ring));
        }
        List<AuditQuery.Entry> events = admin.keys().auditEvents(new AuditQuery(null, "admin-p", null, 1));
        assertThat(events.get(0).outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
        assertThat(events.get(0).details()).containsEntry("status", status);
    }

    @Test
    void unknownPathsOutsideV1Are404AndAudited() throws Exception {
        AdminFixture.Answer a = admin.send("GET", "/admin", null, null);
        assertThat(a.status()).isEqualTo(404);
        assertThat(JSON.readTree(a.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "anonymous", "api.request", 1)).get(0).object())
                .isEqualTo("/admin");
    }

    @Test
    void healthAnswersWithoutAToken() throws Exception {
        AdminFixture.Answer live = admin.send("GET", "/health/live", null, null);
        assertThat(live.status()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("live");

        AdminFixture.Answer ready = admin.send("GET", "/health/ready", null, null);
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body())).isEqualTo(JSON.readTree(
                "{\"status\":\"ready\",\"checks\":{\"hsm\":\"up\",\"store\":\"up\"}}"));
        assertThat(admin.send("POST", "/health/ready", null, null).status()).isEqualTo(405);
    }

    @Test
    void auditEndpointsReturnEventsAndTheChainVerdict() throws Exception {
        admin.send("GET", "/v1/keys", null, admin.token(AUDITOR));
        JsonNode events = JSON.readTree(admin.send("GET", "/v1/audit?actor=auditor-p&action=api.keys.list&limit=1", null,
                admin.token(AUDITOR)).body()).path("events");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("actor").asText()).isEqualTo("auditor-p");
        assertThat(events.get(0).path("outcome").asText()).isEqualTo("success");
        assertThat(events.get(0).path("details").path("path").asText()).isEqualTo("/v1/keys");

        JsonNode verdict = JSON.readTree(admin.send("GET", "/v1/audit/verify", null, admin.token(AUDITOR)).body());
        assertThat(verdict.path("intact").asBoolean()).as(verdict.toString()).isTrue();
        assertThat(verdict.path("events").asLong()).isPositive();
    }

    @Test
    void bodiesOverTheLimitAreRefusedWith413() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertThat(admin.send("POST", "/v1/keys", big, admin.token(ADMIN)).status()).isEqualTo(413);
        // The listener still answers afterwards.
        assertThat(admin.send("GET", "/health/live", null, null).status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "malformed request line \"{0}\"")
    @ValueSource(strings = {"GARBAGE\r\n\r\n", "GET /v1/keys?x=%zz HTTP/1.1\r\nHost: a\r\n\r\n"})
    void malformedRequestsGet400(String raw) throws Exception {
        try (Socket s = new Socket("127.0.0.1", admin.server().port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 400");
        }
    }

    @Test
    void metricsAreValidPrometheusTextWithJvmCacheAndRequestMeters() throws Exception {
        Cache<String, String> plans = Caffeine.newBuilder().maximumSize(10).recordStats().build();
        admin.server().monitor("test_plans", plans);
        plans.get("a", k -> "b");
        plans.getIfPresent("a");
        admin.send("GET", "/v1/keys", null, admin.token(ADMIN));

        AdminFixture.Answer a = admin.send("GET", "/metrics", null, null);

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.response().headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        Map<String, PrometheusText.Family> families = PrometheusText.parse(a.body());
        assertThat(families).containsKeys("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "cache_gets_total", "cache_size", "pgseal_admin_requests_seconds", "pgseal_keys_unwrap_failures_total");
        assertThat(families.get("jvm_memory_used_bytes").type()).isEqualTo("gauge");
        assertThat(families.get("pgseal_admin_requests_seconds").type()).isEqualTo("summary");
        assertThat(families.get("cache_gets_total").samples()).anySatisfy(s -> {
            assertThat(s.labels()).containsEntry("cache", "test_plans").containsEntry("result", "hit");
            assertThat(s.value()).isEqualTo(1.0);
        });
        assertThat(families.get("cache_gets_total").samples()).anySatisfy(s ->
                assertThat(s.labels()).containsEntry("cache", "data_keys").containsEntry("result", "miss"));
        assertThat(families.get("pgseal_admin_requests_seconds").samples()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("pgseal_admin_requests_seconds_count");
            assertThat(s.labels()).containsEntry("route", "/v1/keys").containsEntry("method", "GET")
                    .containsEntry("status", "200");
            assertThat(s.value()).isGreaterThanOrEqualTo(1.0);
        });
    }
}
