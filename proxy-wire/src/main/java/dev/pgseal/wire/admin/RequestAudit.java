package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.audit.AuditEvent;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one audit event per admin API request: who ({@code anonymous} before authentication),
 * which action ({@code api.keys.rotate}), on what, how it ended (2xx success, 401 and 403 denied,
 * anything else failure), and the method, path, status, address and reason. The key service's own
 * lifecycle events (e.g. {@code ring.rotate}) are written in addition, inside the change's
 * transaction.
 */
final class RequestAudit {

    /** The actor of a request that presented no valid token. */
    static final String ANONYMOUS = "anonymous";

    private static final Logger LOG = LoggerFactory.getLogger(RequestAudit.class);
    private static final int MAX_TEXT = 256;

    private final KeyService keys;

    RequestAudit(KeyService keys) {
        this.keys = keys;
    }

    static AuditEvent.Outcome outcome(HttpResponseStatus status) {
        int code = status.code();
        if (code < 400) {
            return AuditEvent.Outcome.SUCCESS;
        }
        return code == 401 || code == 403 ? AuditEvent.Outcome.DENIED : AuditEvent.Outcome.FAILURE;
    }

    /**
     * Records the request. The response is already decided: when the audit log cannot be written
     * (store or HSM down) that is logged as an error, and the answer stands, since a change the
     * key service made is already audited in its own transaction.
     */
    void record(ApiRequest r, String actor, String action, String object, HttpResponseStatus status,
            Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", r.method());
        details.put("path", clip(r.path()));
        details.put("status", status.code());
        details.put("remote", r.remote());
        extra.forEach((k, v) -> {
            if (v != null) {
                details.put(k, v instanceof String s ? clip(s) : v);
            }
        });
        AuditEvent event = new AuditEvent(clip(actor), "api." + action, clip(object), outcome(status), details);
        if (keys == null) {
            LOG.info("admin request (no key store to audit in): {}", event);
            return;
        }
        try {
            keys.recordEvent(event);
        } catch (RuntimeException e) {
            LOG.error("cannot write the audit event of admin request {} {} ({}): {}", r.method(), clip(r.path()),
                    status.code(), e.getMessage());
        }
    }

    private static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }
}
