package dev.pgseal.keys.alerts;

import dev.pgseal.keys.audit.AuditEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code denied_requests}: counts the admin API requests answered 401 or 403 (audit events
 * {@code api.*} with outcome {@code DENIED}) per principal (not for {@code anonymous}: a request
 * without a valid token has none) and per client address, and fires when one of them reaches the
 * threshold within the window. Keeps at most {@code threshold} times per subject. Not thread-safe.
 */
final class DeniedRequestsRule {

    /** The actor of a request without a valid token (the admin API's {@code RequestAudit.ANONYMOUS}). */
    static final String ANONYMOUS = "anonymous";

    private final AlertSettings.DeniedRequests settings;
    private final Map<String, Deque<Instant>> recent = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> eldest) {
            return size() > AlertThrottle.MAX_SUBJECTS;
        }
    };

    DeniedRequestsRule(AlertSettings.DeniedRequests settings) {
        this.settings = settings;
    }

    /** The alerts {@code event} completes (before de-duplication): none, or one per subject over the threshold. */
    List<Alert> observe(AuditEvent event, Instant now) {
        if (event.outcome() != AuditEvent.Outcome.DENIED || !event.action().startsWith("api.")) {
            return List.of();
        }
        List<Alert> out = new ArrayList<>(2);
        if (!ANONYMOUS.equals(event.actor())) {
            count("principal:" + event.actor(), "principal " + event.actor(), event, now, out);
        }
        Object remote = event.details().get("remote");
        if (remote instanceof String r && !r.isBlank()) {
            String address = host(r);
            count("address:" + address, "address " + address, event, now, out);
        }
        return out;
    }

    private void count(String subject, String who, AuditEvent event, Instant now, List<Alert> out) {
        Deque<Instant> times = recent.computeIfAbsent(subject, s -> new ArrayDeque<>());
        times.addLast(now);
        while (times.size() > settings.threshold()) {
            times.removeFirst();
        }
        Instant cutoff = now.minus(settings.window());
        while (!times.isEmpty() && times.peekFirst().isBefore(cutoff)) {
            times.removeFirst();
        }
        if (times.size() >= settings.threshold()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("count", times.size());
            d.put("threshold", settings.threshold());
            d.put("window_seconds", settings.window().toSeconds());
            d.put("last_action", event.action());
            Object status = event.details().get("status");
            if (status != null) {
                d.put("last_status", status);
            }
            Object reason = event.details().get("reason");
            if (reason instanceof String s) {
                d.put("last_reason", s);
            }
            out.add(new Alert(AlertRule.DENIED_REQUESTS, subject, now, times.size() + " denied admin requests (401/403) "
                    + "from " + who + " within " + settings.window().toSeconds() + "s", d));
        }
    }

    /** {@code 10.0.0.7:51234} → {@code 10.0.0.7}; {@code 0:0:0:0:0:0:0:1:51234} → {@code 0:0:0:0:0:0:0:1}. */
    static String host(String remote) {
        int colon = remote.lastIndexOf(':');
        if (colon <= 0) {
            return remote;
        }
        String port = remote.substring(colon + 1);
        return port.chars().allMatch(Character::isDigit) && !port.isEmpty() ? remote.substring(0, colon) : remote;
    }
}
