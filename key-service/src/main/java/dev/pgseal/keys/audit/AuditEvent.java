package dev.pgseal.keys.audit;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One key operation to record: who did what to which object, how it ended, and details (ring,
 * version, master key label, reason…). Details hold names and numbers only, never key bytes or
 * plaintext.
 *
 * @param actor who asked (a user, a token's name, {@code pgseal} for the server itself)
 * @param action what was done, e.g. {@code ring.create}, {@code version.state}, {@code key.unwrap}
 * @param object what it was done to, e.g. {@code ring:patients/v2}
 * @param outcome how it ended
 * @param details strings and numbers; keys sorted
 */
public record AuditEvent(String actor, String action, String object, Outcome outcome, Map<String, Object> details) {

    /** How an audited operation ended. */
    public enum Outcome { SUCCESS, DENIED, FAILURE }

    public AuditEvent {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(outcome, "outcome");
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(details));
        for (Object v : details.values()) {
            if (!(v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean)) {
                throw new IllegalArgumentException("audit details hold strings, numbers and booleans only");
            }
        }
    }

    /** A successful operation. */
    public static AuditEvent success(String actor, String action, String object, Map<String, Object> details) {
        return new AuditEvent(actor, action, object, Outcome.SUCCESS, details);
    }
}
