package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyServiceHealth;
import dev.pgseal.keys.access.Authentication;
import dev.pgseal.keys.access.ClientCertificates;
import dev.pgseal.keys.access.Principal;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one request, in this order: health and metrics (no token); for {@code /v1}, the
 * credentials — bearer token, verified client certificate, or both naming one principal (401) — the
 * route (404, 405), the role (403), the second factor of a dangerous route (403),
 * then the handler (400, 404, 409 from its input and the key service). Every {@code /v1} request
 * and every unknown path is audited with its outcome; health probes and scrapes are not (they come
 * every few seconds and carry no identity), and are counted in the request timer instead. Blocking:
 * runs on the admin workers, never on an event loop.
 */
final class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final KeyService keys;
    private final SecondFactor secondFactor;
    private final AdminMetrics metrics;
    private final RequestAudit audit;
    private final List<Route> routes;

    AdminApi(KeyService keys, SecondFactor secondFactor, AdminMetrics metrics) {
        this.keys = keys;
        this.secondFactor = secondFactor;
        this.metrics = metrics;
        this.audit = new RequestAudit(keys);
        this.routes = keys == null ? List.of()
                : MasterKeyRoutes.after(DataPlaneRoutes.after(AlertRoutes.after(new AdminRoutes(keys).routes(), keys), keys), keys);
    }

    ApiResponse handle(ApiRequest r) {
        long start = System.nanoTime();
        String[] routeName = {"unmatched"};
        ApiResponse response;
        try {
            response = dispatch(r, routeName);
        } catch (RuntimeException e) {
            LOG.error("admin request {} {} failed", r.method(), r.path(), e);
            response = internalError();
        }
        metrics.recordRequest(r.method(), routeName[0], response.status().code(), System.nanoTime() - start);
        return response;
    }

    private ApiResponse dispatch(ApiRequest r, String[] routeName) {
        switch (r.path()) {
            case "/health/live" -> {
                routeName[0] = "/health/live";
                return onlyGet(r, () -> ApiResponse.ok(Map.of("status", "live")));
            }
            case "/health/ready" -> {
                routeName[0] = "/health/ready";
                return onlyGet(r, this::ready);
            }
            case "/metrics" -> {
                routeName[0] = "/metrics";
                return onlyGet(r, () -> ApiResponse.text(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape()));
            }
            default -> {
                // below
            }
        }
        if (!r.path().equals("/v1") && !r.path().startsWith("/v1/")) {
            ApiResponse notFound = ApiResponse.error(HttpResponseStatus.NOT_FOUND, "not_found", "no such endpoint: "
                    + r.path());
            audit.record(r, RequestAudit.ANONYMOUS, "request", r.path(), notFound.status(), Map.of());
            return notFound;
        }
        if (keys == null) {
            return ApiResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable",
                    "this server has no key store ('keystore' and 'store' in its config): the /v1 API needs one");
        }
        return api(r, routeName);
    }

    private ApiResponse api(ApiRequest r, String[] routeName) {
        Map<String, Object> credentials = new LinkedHashMap<>();
        Authentication auth = authenticate(r, credentials);
        List<String> segments = Route.segments(r.path());
        Route route = null;
        Map<String, String> params = null;
        TreeSet<String> allowed = new TreeSet<>();
        for (Route candidate : routes) {
            Map<String, String> m = candidate.match(segments);
            if (m != null) {
                allowed.add(candidate.method());
                if (candidate.method().equals(r.method())) {
                    route = candidate;
                    params = m;
                }
            }
        }
        String action = route == null ? "request" : route.action();
        String object = route == null ? r.path() : AdminRoutes.object(route, params);
        if (route != null) {
            routeName[0] = route.pattern();
        }
        if (auth.principal() == null) {
            ApiResponse denied = ApiResponse.error(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                    r.clientCertificate() == null ? "a valid bearer token is required (Authorization: Bearer <token>)"
                            : "valid credentials are required: a registered client certificate, or a valid bearer "
                                    + "token, or both naming the same principal")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"pgseal\"");
            credentials.put("reason", auth.failure());
            audit.record(r, RequestAudit.ANONYMOUS, action, object, denied.status(), credentials);
            return denied;
        }
        Principal p = auth.principal();
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("role", p.role().displayName());
        who.put("token", p.tokenId());
        who.putAll(credentials);
        if (route == null) {
            ApiResponse miss = allowed.isEmpty()
                    ? ApiResponse.error(HttpResponseStatus.NOT_FOUND, "not_found", "no such endpoint: " + r.path())
                    : ApiResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", r.method()
                            + " is not allowed on " + r.path() + " (allowed: " + String.join(", ", allowed) + ")")
                            .withHeader("Allow", String.join(", ", allowed));
            audit.record(r, p.name(), action, object, miss.status(), who);
            return miss;
        }
        if (!route.roles().contains(p.role())) {
            String reason = "role " + p.role().displayName() + " may not call " + route.action() + " (allowed: "
                    + route.allowedRoles() + ")";
            return deny(r, p, route, object, reason, who);
        }
        if (route.dangerous()) {
            Optional<String> refusal = secondFactor.refusal(p, route.action(), Optional.ofNullable(r.otp()));
            who.put("second_factor", secondFactor.name());
            if (refusal.isPresent()) {
                return deny(r, p, route, object, "second factor refused: " + refusal.get(), who);
            }
        }
        ApiResponse response;
        String reason = null;
        try {
            response = route.handler().handle(new Call(r, params, p));
        } catch (ApiException e) {
            response = ApiResponse.error(e.status(), e.code(), e.getMessage());
            reason = e.getMessage();
        } catch (RuntimeException e) {
            LOG.error("admin request {} {} by {} failed", r.method(), r.path(), p.name(), e);
            response = internalError();
            reason = "internal error: " + e.getClass().getSimpleName();
        }
        who.put("reason", reason);
        audit.record(r, p.name(), action, object, response.status(), who);
        return response;
    }

    /**
     * Who sent the request. Each credential presented must be valid, and when a bearer token and a
     * client certificate are both presented they must name the same principal: a second credential
     * never widens what the first grants, and a mismatch is refused rather than resolved by a
     * preference. The certificate reaches here only after the handshake verified it; it then
     * authenticates only when registered. {@code credentials} receives the certificate's id (for the
     * audit event) whenever one was presented.
     */
    private Authentication authenticate(ApiRequest r, Map<String, Object> credentials) {
        String token = bearer(r.authorization());
        if (r.clientCertificate() == null) {
            return keys.accessTokens().authenticate(token);
        }
        credentials.put("certificate", ClientCertificates.credentialId(ClientCertificates.fingerprint(
                r.clientCertificate())));
        Authentication byCertificate = keys.accessTokens().clientCertificates().authenticate(r.clientCertificate());
        if (token == null) {
            return byCertificate;
        }
        Authentication byToken = keys.accessTokens().authenticate(token);
        if (byToken.principal() == null || byCertificate.principal() == null) {
            List<String> reasons = new ArrayList<>();
            if (byToken.principal() == null) {
                reasons.add(byToken.failure());
            }
            if (byCertificate.principal() == null) {
                reasons.add(byCertificate.failure());
            }
            return new Authentication(null, String.join("; ", reasons));
        }
        Principal t = byToken.principal();
        Principal c = byCertificate.principal();
        if (!t.name().equals(c.name())) {
            return new Authentication(null, "the bearer token " + t.tokenId() + " (principal " + t.name()
                    + ") and the client certificate " + c.tokenId() + " (principal " + c.name()
                    + ") name different principals");
        }
        return byToken;
    }

    private ApiResponse deny(ApiRequest r, Principal p, Route route, String object, String reason,
            Map<String, Object> who) {
        ApiResponse denied = ApiResponse.error(HttpResponseStatus.FORBIDDEN, "forbidden", reason);
        who.put("reason", reason);
        audit.record(r, p.name(), route.action(), object, denied.status(), who);
        return denied;
    }

    private ApiResponse ready() {
        if (keys == null) {
            return ApiResponse.ok(Map.of("status", "ready", "checks", Map.of()));
        }
        KeyServiceHealth h;
        try {
            h = keys.health();
        } catch (RuntimeException e) {
            LOG.warn("readiness probe failed: {}", e.getMessage());
            return ApiResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "not-ready"));
        }
        if (!h.up()) {
            LOG.warn("not ready: master key store {} ({}), key store {} ({})", h.masterKeys().up() ? "up" : "down",
                    h.masterKeys().detail(), h.store().up() ? "up" : "down", h.store().detail());
        }
        // Unauthenticated: report up/down only; the details (URLs, errors) go to the log.
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("hsm", h.masterKeys().up() ? "up" : "down");
        checks.put("store", h.store().up() ? "up" : "down");
        return ApiResponse.json(h.up() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                Map.of("status", h.up() ? "ready" : "not-ready", "checks", checks));
    }

    private static ApiResponse onlyGet(ApiRequest r, java.util.function.Supplier<ApiResponse> get) {
        if (!r.method().equals("GET")) {
            return ApiResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", r.method()
                    + " is not allowed on " + r.path() + " (allowed: GET)").withHeader("Allow", "GET");
        }
        return get.get();
    }

    static ApiResponse internalError() {
        return ApiResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                "internal error: see the server log");
    }

    /** The token of {@code Authorization: Bearer <token>}, or null. */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() > 7 && a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return a.substring(7).trim();
        }
        return null;
    }

    /** The routes, for tests and the documentation check. */
    List<Route> routes() {
        return new ArrayList<>(routes);
    }
}
