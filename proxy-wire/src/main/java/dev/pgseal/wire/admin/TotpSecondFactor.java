package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.access.Principal;
import dev.pgseal.keys.access.TotpEnrollments;
import dev.pgseal.keys.access.TotpVerification;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The TOTP second factor on the key store's enrolments ({@link TotpEnrollments}): the code of the
 * current 30-second step, or one step either side, accepted once across every instance; wrong,
 * expired, replayed and malformed codes refused and counted towards a lock. The refusal's reason
 * (never the code) goes to the client and the audit log.
 */
final class TotpSecondFactor implements SecondFactor {

    private final Clock clock;
    private final TotpEnrollments enrollments;

    TotpSecondFactor(Clock clock, TotpEnrollments enrollments) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.enrollments = enrollments;
    }

    @Override
    public String name() {
        return "totp";
    }

    @Override
    public SecondFactor forKeys(KeyService keys) {
        return keys == null ? this : new TotpSecondFactor(clock, keys.totpEnrollments());
    }

    @Override
    public Optional<String> refusal(Principal principal, String action, Optional<String> presented) {
        if (enrollments == null) {
            return Optional.of("this server has no key store, where TOTP enrolments live");
        }
        TotpVerification v = enrollments.verify(principal.name(), presented.orElse(null), clock.instant());
        return Optional.ofNullable(v.reason());
    }
}
