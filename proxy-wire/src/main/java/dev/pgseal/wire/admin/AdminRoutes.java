package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static dev.pgseal.keys.access.Role.OPERATOR;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgseal.keys.KeyLifecycleException;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.access.AccessException;
import dev.pgseal.keys.access.AccessToken;
import dev.pgseal.keys.access.IssuedToken;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditChainVerification;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.keys.kms.KeyType;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code /v1} endpoints and who may call them. Handlers only translate HTTP to the key
 * service's lifecycle methods and back: every rule about states, versions and waiting periods is
 * the key service's, which also audits each change under the caller's name.
 *
 * <pre>
 * GET  /v1/keys                                      admin operator auditor
 * GET  /v1/keys/{name}                               admin operator auditor
 * POST /v1/keys                                      admin
 * POST /v1/keys/{name}/rotate                        admin operator
 * POST /v1/keys/{name}/versions/{v}/deactivate       admin
 * POST /v1/keys/{name}/versions/{v}/compromised      admin            (dangerous: second factor)
 * POST /v1/keys/{name}/schedule-deletion             admin            (dangerous: second factor)
 * POST /v1/keys/{name}/cancel-deletion               admin
 * POST /v1/keys/{name}/min-decryption-version        admin            (dangerous: second factor)
 * POST /v1/keys/{name}/destroy                       admin            (dangerous: second factor)
 * GET  /v1/audit                                     admin auditor
 * GET  /v1/audit/verify                              admin auditor
 * GET  /v1/tokens                                    admin
 * POST /v1/tokens                                    admin
 * POST /v1/tokens/{id}/revoke                        admin
 * </pre>
 * The {@code app} role has no administration endpoint: its data-plane calls and their grants are
 * {@link DataPlaneRoutes}'s.
 */
final class AdminRoutes {

    private static final Pattern PERIOD = Pattern.compile("(\\d{1,6})([dhms])");

    private final KeyService keys;

    AdminRoutes(KeyService keys) {
        this.keys = keys;
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/keys", "keys.list", ADMIN, OPERATOR, AUDITOR).to(this::listRings),
                Route.of("POST", "/v1/keys", "keys.create", ADMIN).to(this::createRing),
                Route.of("GET", "/v1/keys/{name}", "keys.show", ADMIN, OPERATOR, AUDITOR).to(this::showRing),
                Route.of("POST", "/v1/keys/{name}/rotate", "keys.rotate", ADMIN, OPERATOR).to(this::rotate),
                Route.of("POST", "/v1/keys/{name}/versions/{version}/deactivate", "keys.deactivate", ADMIN)
                        .to(c -> moveVersion(c, KeyState.DEACTIVATED)),
                Route.of("POST", "/v1/keys/{name}/versions/{version}/compromised", "keys.compromised", ADMIN)
                        .needsSecondFactor().to(c -> moveVersion(c, KeyState.COMPROMISED)),
                Route.of("POST", "/v1/keys/{name}/schedule-deletion", "keys.schedule-deletion", ADMIN)
                        .needsSecondFactor().to(this::scheduleDeletion),
                Route.of("POST", "/v1/keys/{name}/cancel-deletion", "keys.cancel-deletion", ADMIN)
                        .to(this::cancelDeletion),
                Route.of("POST", "/v1/keys/{name}/min-decryption-version", "keys.min-decryption-version", ADMIN)
                        .needsSecondFactor().to(this::minDecryptionVersion),
                Route.of("POST", "/v1/keys/{name}/destroy", "keys.destroy", ADMIN)
                        .needsSecondFactor().to(this::destroyDue),
                Route.of("GET", "/v1/audit", "audit.query", ADMIN, AUDITOR).to(this::auditEvents),
                Route.of("GET", "/v1/audit/verify", "audit.verify", ADMIN, AUDITOR).to(this::verifyAudit),
                Route.of("GET", "/v1/tokens", "tokens.list", ADMIN).to(this::listTokens),
                Route.of("POST", "/v1/tokens", "tokens.create", ADMIN).to(this::createToken),
                Route.of("POST", "/v1/tokens/{id}/revoke", "tokens.revoke", ADMIN).to(this::revokeToken));
    }

    /** The audit object of a call: {@code ring:NAME}, {@code ring:NAME/vN}, {@code token:ID}, or the area. */
    static String object(Route route, Map<String, String> params) {
        if (params.containsKey("name")) {
            return "ring:" + params.get("name") + (params.containsKey("version") ? "/v" + params.get("version") : "");
        }
        if (params.containsKey("id")) {
            return "token:" + params.get("id");
        }
        return route.action().substring(0, route.action().indexOf('.'));
    }

    // ---------------------------------------------------------------- keys

    private ApiResponse listRings(Call call) {
        List<KeyRing> rings = keys.listRings();
        JsonNode out = AdminJson.rings(rings);
        for (int i = 0; i < rings.size(); i++) {
            withType(out.get("rings").get(i), rings.get(i));
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse showRing(Call call) {
        return ringResponse(existingRing(call.param("name")));
    }

    /** The listing's ring with its key type ({@code aes-256-gcm}, {@code ed25519}, …). */
    private static JsonNode withType(JsonNode ring, KeyRing r) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) ring).put("type", r.type().displayName());
        return ring;
    }

    private ApiResponse createRing(Call call) {
        JsonNode body = call.request().json();
        String name = text(body, "name", true);
        String period = text(body, "rotation_period", false);
        Duration rotation = period == null ? null : period(period);
        String typeName = text(body, "type", false);
        KeyType type;
        try {
            type = typeName == null ? KeyType.AES_256_GCM : KeyType.parse(typeName);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'type': " + e.getMessage());
        }
        KeyRing ring = lifecycle(() -> keys.createRing(name, rotation, type, call.actor()));
        return ApiResponse.json(HttpResponseStatus.CREATED, Map.of("ring", withType(AdminJson.ring(ring), ring)));
    }

    private ApiResponse rotate(Call call) {
        String name = existingRing(call.param("name")).name();
        return ringResponse(lifecycle(() -> keys.rotate(name, call.actor())));
    }

    private ApiResponse moveVersion(Call call, KeyState target) {
        String name = existingRing(call.param("name")).name();
        int version = call.intParam("version");
        return ringResponse(lifecycle(() -> keys.setState(name, version, target, call.actor())));
    }

    private ApiResponse scheduleDeletion(Call call) {
        JsonNode body = call.request().json();
        String name = existingRing(call.param("name")).name();
        OptionalInt version = optionalVersion(body);
        JsonNode days = body.get("days");
        long min = KeyService.MIN_DELETION_WAIT.toDays();
        long max = KeyService.MAX_DELETION_WAIT.toDays();
        if (days == null || !days.canConvertToInt() || !days.isIntegralNumber() || days.asInt() < min || days.asInt() > max) {
            throw ApiException.badRequest("'days' must be a whole number of days from " + min + " to " + max);
        }
        Instant due = lifecycle(() -> keys.scheduleDeletion(name, version, Duration.ofDays(days.asInt()), call.actor()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ring", name);
        out.put("version", version.isPresent() ? version.getAsInt() : null);
        out.put("deletion_due_at", due.toString());
        return ApiResponse.ok(out);
    }

    private ApiResponse cancelDeletion(Call call) {
        JsonNode body = call.request().json();
        String name = existingRing(call.param("name")).name();
        OptionalInt version = optionalVersion(body);
        return ringResponse(lifecycle(() -> keys.cancelDeletion(name, version, call.actor())));
    }

    /**
     * Sets the minimum decryption version. Dangerous whichever way it moves: raising it makes data
     * under older versions unreadable at once, and lowering it revives versions someone retired.
     */
    private ApiResponse minDecryptionVersion(Call call) {
        JsonNode body = call.request().json();
        String name = existingRing(call.param("name")).name();
        OptionalInt version = optionalVersion(body);
        if (version.isEmpty()) {
            throw ApiException.badRequest("'version' is required");
        }
        return ringResponse(lifecycle(() -> keys.setMinDecryptionVersion(name, version.getAsInt(), call.actor())));
    }

    /** Executes the deletions of this ring that are due now (the server also does it in the background). */
    private ApiResponse destroyDue(Call call) {
        String name = existingRing(call.param("name")).name();
        List<String> destroyed = lifecycle(() -> keys.runDueDeletions(name, call.actor()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("destroyed", destroyed);
        KeyRing ring = existingRing(name);
        out.put("ring", withType(AdminJson.ring(ring), ring));
        return ApiResponse.ok(out);
    }

    private static ApiResponse ringResponse(KeyRing ring) {
        return ApiResponse.ok(Map.of("ring", withType(AdminJson.ring(ring), ring)));
    }

    /** The ring as the store has it now (another instance may have created it), or 404. */
    private KeyRing existingRing(String name) {
        return keys.listRings().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no key ring named " + name));
    }

    private static <T> T lifecycle(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (KeyLifecycleException e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    private static OptionalInt optionalVersion(JsonNode body) {
        JsonNode v = body.get("version");
        if (v == null || v.isNull()) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw ApiException.badRequest("'version' must be a positive whole number");
        }
        return OptionalInt.of(v.asInt());
    }

    /** {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}: the policy's notation for periods. */
    static Duration period(String text) {
        Matcher m = PERIOD.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw ApiException.badRequest("'rotation_period' must look like 90d, 12h, 30m or 45s (more than 0), not '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest("'" + field + "' is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw ApiException.badRequest("'" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    // ---------------------------------------------------------------- audit

    private ApiResponse auditEvents(Call call) {
        ApiRequest r = call.request();
        Instant since = r.sinceParam();
        int limit = r.limitParam(AuditQuery.DEFAULT_LIMIT, AuditQuery.MAX_LIMIT);
        List<Map<String, Object>> events = new ArrayList<>();
        for (AuditQuery.Entry e : keys.auditEvents(new AuditQuery(since, r.queryParam("actor"), r.queryParam("action"),
                limit))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("at", e.at().toString());
            m.put("actor", e.actor());
            m.put("action", e.action());
            m.put("object", e.object());
            m.put("outcome", e.outcome().name().toLowerCase(java.util.Locale.ROOT));
            m.put("details", e.details());
            events.add(m);
        }
        return ApiResponse.ok(Map.of("events", events));
    }

    private ApiResponse verifyAudit(Call call) {
        return ApiResponse.ok(AdminJson.tree(AuditChainVerification.toJson(keys.verifyAuditLog())));
    }

    // ---------------------------------------------------------------- tokens

    private ApiResponse listTokens(Call call) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AccessToken t : keys.accessTokens().list()) {
            out.add(tokenJson(t));
        }
        return ApiResponse.ok(Map.of("tokens", out));
    }

    private ApiResponse createToken(Call call) {
        JsonNode body = call.request().json();
        String name = text(body, "name", true);
        Role role;
        try {
            role = Role.parse(text(body, "role", true));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        IssuedToken issued;
        try {
            issued = keys.accessTokens().create(name, role, call.actor());
        } catch (AccessException e) {
            throw ApiException.conflict(e.getMessage());
        }
        Map<String, Object> out = tokenJson(issued.metadata());
        out.put("token", issued.secretText()); // shown once: only its hash is stored
        return ApiResponse.json(HttpResponseStatus.CREATED, out);
    }

    private ApiResponse revokeToken(Call call) {
        try {
            return ApiResponse.ok(tokenJson(keys.accessTokens().revoke(call.param("id"), call.actor())));
        } catch (AccessException e) {
            throw e.unknownObject() ? ApiException.notFound(e.getMessage())
                    : ApiException.conflict(e.getMessage());
        }
    }

    static Map<String, Object> tokenJson(AccessToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("principal", t.principal());
        m.put("role", t.role().displayName());
        m.put("created_at", t.createdAt().toString());
        m.put("created_by", t.createdBy());
        m.put("revoked_at", t.revokedAt() == null ? null : t.revokedAt().toString());
        m.put("revoked_by", t.revokedBy());
        return m;
    }
}
