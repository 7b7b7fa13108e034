package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.AUDITOR;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.alerts.AlertRule;
import dev.pgseal.keys.alerts.Alerts;
import dev.pgseal.keys.audit.AuditQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/alerts} (roles admin, auditor): the alerts recorded in the audit log (actions
 * {@code alert.<rule>} by actor {@code pgseal}), so every instance's alerts show, across restarts.
 * Query parameters as {@code /v1/audit}: {@code since} (ISO-8601 instant; then the oldest first),
 * {@code rule} (one of {@link AlertRule}), {@code limit} (1..1000, default 100; without
 * {@code since} the newest, listed oldest first).
 */
final class AlertRoutes {

    private final KeyService keys;

    AlertRoutes(KeyService keys) {
        this.keys = keys;
    }

    /** {@code routes} followed by the alert routes. */
    static List<Route> after(List<Route> routes, KeyService keys) {
        List<Route> all = new ArrayList<>(routes);
        all.addAll(new AlertRoutes(keys).routes());
        return List.copyOf(all);
    }

    List<Route> routes() {
        return List.of(Route.of("GET", "/v1/alerts", "alerts.list", ADMIN, AUDITOR).to(this::list));
    }

    private ApiResponse list(Call call) {
        ApiRequest r = call.request();
        Instant since = r.sinceParam();
        String action = Alerts.ACTION_PREFIX + "*";
        String rule = r.queryParam("rule");
        if (rule != null) {
            try {
                action = AlertRule.parse(rule).auditAction();
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        int limit = r.limitParam(AuditQuery.DEFAULT_LIMIT, AuditQuery.MAX_LIMIT);
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (AuditQuery.Entry e : keys.auditEvents(new AuditQuery(since, Alerts.ACTOR, action, limit))) {
            Map<String, Object> details = new LinkedHashMap<>(e.details());
            Object message = details.remove("message");
            details.remove("rule");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("at", e.at().toString());
            m.put("rule", e.action().substring(Alerts.ACTION_PREFIX.length()));
            m.put("subject", e.object());
            m.put("message", message == null ? "" : message.toString());
            m.put("details", details);
            alerts.add(m);
        }
        return ApiResponse.ok(Map.of("alerts", alerts));
    }
}
