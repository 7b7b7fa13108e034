package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.access.Principal;
import java.time.Clock;
import java.util.Optional;

/**
 * The second factor of dangerous operations (scheduling a deletion, destroying, marking a version
 * compromised, changing the minimum decryption version, rotating the master key). The router asks
 * it before such a call runs, after the role check; a refusal is a {@code 403} with its reason and
 * an audit event, exactly like a role denial.
 *
 * <p>pgseal's factor is {@link #totp(Clock) TOTP} (RFC 6238): a code of the calling principal,
 * enrolled offline with {@code ./pgseal tokens totp-enroll}, sent in the {@code X-Pgseal-Otp}
 * header, accepted once. It is always enforced: there is no switch that turns it off, and a
 * principal without an enrolment cannot call a dangerous operation.
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

    /**
     * This factor for the principals of {@code keys}: a factor that keeps its state in the key store
     * binds to it here (the admin server calls this once, at start).
     *
     * @param keys the key service, or null on a server without one (then every call is refused)
     */
    default SecondFactor forKeys(KeyService keys) {
        return this;
    }

    /**
     * TOTP codes of the calling principal, checked against {@code clock} (the system clock in the
     * server; a controllable one in tests).
     */
    static SecondFactor totp(Clock clock) {
        return new TotpSecondFactor(clock, null);
    }
}
