package dev.pgseal.keys.access;

import java.util.Locale;

/**
 * What a principal of the admin API may do. Least privilege: each role gets only its own calls,
 * and none of them sees key material through the admin API.
 */
public enum Role {
    /** Key lifecycle: create rings, rotate, deactivate, mark compromised, schedule and cancel deletions, tokens. */
    ADMIN,
    /** Day-to-day operation: rotation and jobs, and reading key metadata. */
    OPERATOR,
    /** Reads the audit log and key metadata; never key material, never a change. */
    AUDITOR,
    /** Data-plane calls (encrypt, decrypt…) on the key rings granted to it; no administration. */
    APP;

    /** The lower-case name used in the CLI, the API and output: {@code admin}, {@code operator}, … */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code admin}, {@code ADMIN}, …
     *
     * @throws IllegalArgumentException naming the accepted roles
     */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "' (expected: admin, operator, auditor, app)");
    }
}
