package dev.pgseal.keys.alerts;

import java.util.Locale;

/**
 * The alert rules. Each one's {@link #id()} names it in the config ({@code alerts.<id>}), in the
 * audit action of its alerts ({@code alert.<id>}), in the metric tag {@code rule} and in the API.
 */
public enum AlertRule {
    /** Failed authentications (401) or denied requests (403) from one principal or one address in a window. */
    DENIED_REQUESTS,
    /** Decrypt calls of one principal far above its own trailing mean. */
    DECRYPT_VOLUME,
    /** A key ring or key version was scheduled for deletion. */
    DELETION_SCHEDULED,
    /** A key version was marked compromised. */
    KEY_COMPROMISED,
    /** A policy or configuration change. */
    CONFIG_CHANGE,
    /** The master key store (HSM) failed: health probe down, or a data-key unwrap failed. */
    HSM_ERROR,
    /**
     * The stored audit chain no longer extends what this instance saw (newest events deleted, the
     * chain rewritten). Always on: no setting turns it off.
     */
    AUDIT_TAMPERING;

    /** {@code denied_requests}, …. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The audit action of this rule's alerts: {@code alert.denied_requests}. */
    public String auditAction() {
        return Alerts.ACTION_PREFIX + id();
    }

    /** The rule named {@code id}. */
    public static AlertRule parse(String id) {
        for (AlertRule r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown alert rule '" + id + "'; expected one of: " + ids());
    }

    /** Every rule's id, comma-separated. */
    public static String ids() {
        StringBuilder sb = new StringBuilder();
        for (AlertRule r : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(r.id());
        }
        return sb.toString();
    }
}
