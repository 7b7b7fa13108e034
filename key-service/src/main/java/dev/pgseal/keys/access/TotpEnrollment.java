package dev.pgseal.keys.access;

import java.time.Instant;
import java.util.Objects;

/**
 * What the store shows about a principal's TOTP enrolment: never the secret (it is stored wrapped
 * under the master key and is not part of this record).
 *
 * @param principal whose second factor it is
 * @param enrolledAt when it was enrolled (or last replaced)
 * @param enrolledBy who enrolled it
 * @param masterKeyLabel the master key its secret is wrapped under
 * @param lastUsedAt when a code was last accepted, or null
 * @param failures wrong, replayed or expired codes since the last accepted one
 * @param lockedUntil codes are refused until then after too many failures, or null
 */
public record TotpEnrollment(String principal, Instant enrolledAt, String enrolledBy, String masterKeyLabel,
        Instant lastUsedAt, int failures, Instant lockedUntil) {
    public TotpEnrollment {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(enrolledAt, "enrolledAt");
        Objects.requireNonNull(masterKeyLabel, "masterKeyLabel");
    }
}
