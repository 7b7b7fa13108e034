package dev.pgseal.wire.admin;

import dev.pgseal.keys.access.Principal;
import java.util.Optional;

/**
 * The seam for a second factor on dangerous operations (scheduling a deletion, marking a version
 * compromised; later destroying, raising the minimum decryption version, rotating the master key).
 * The router asks it before such a call runs; a refusal is a {@code 403} with its reason and an
 * audit event, exactly like a role denial.
 *
 * <p>This slice ships no second factor: {@link #NOT_ENFORCED} lets the call through and the audit
 * event says {@code second_factor: not-enforced}, so the log shows which dangerous calls ran on a
 * bearer token alone. The TOTP implementation (RFC 6238, a code per principal enrolled with the CLI,
 * sent in the {@code X-Pgseal-Otp} header, replay refused) plugs in here without touching a route.
 */
public interface SecondFactor {

    /** The name recorded in the audit event of every dangerous call, e.g. {@code totp}. */
    String name();

    /**
     * Checks the second factor that came with a dangerous call.
     *
     * @param principal the authenticated caller
     * @param action the route's action, e.g. {@code keys.schedule-deletion}
     * @param presented the {@code X-Pgseal-Otp} header, or empty
     * @return empty to allow, or the reason to refuse
     */
    Optional<String> refusal(Principal principal, String action, Optional<String> presented);

    /** No second factor yet: allows, and says so in the audit log. Not a check. */
    SecondFactor NOT_ENFORCED = new SecondFactor() {
        @Override
        public String name() {
            return "not-enforced";
        }

        @Override
        public Optional<String> refusal(Principal principal, String action, Optional<String> presented) {
            return Optional.empty();
        }
    };
}
