package dev.pgseal.keys.access;

import java.util.Objects;

/**
 * The outcome of checking a TOTP code: accepted, or refused with a reason that tells the caller
 * what to do (the admin API returns it in its 403 and writes it to the audit log). The reason
 * never contains the code or the secret.
 *
 * @param outcome what happened
 * @param reason why a code was refused, or null when it was accepted
 */
public record TotpVerification(Outcome outcome, String reason) {

    /** What happened to a presented code. */
    public enum Outcome {
        /** The code of the current step, or one step either side, not used before. */
        ACCEPTED,
        /** No code came with the call (not counted as a failure). */
        MISSING,
        /** The principal has no enrolment (not counted as a failure). */
        NOT_ENROLLED,
        /** Too many failures: every code is refused until the lock ends (not counted again). */
        LOCKED,
        /** Not {@code digits} digits. */
        MALFORMED,
        /** The code of a step already used, or older than the last accepted one. */
        REPLAYED,
        /** The code of a recent step outside the accepted window (a slow hand or a skewed clock). */
        EXPIRED,
        /** No recent code of this principal. */
        WRONG
    }

    public TotpVerification {
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.ACCEPTED) != (reason == null)) {
            throw new IllegalArgumentException("a reason exactly when refused");
        }
    }

    static TotpVerification acceptedCode() {
        return new TotpVerification(Outcome.ACCEPTED, null);
    }

    static TotpVerification refused(Outcome outcome, String reason) {
        return new TotpVerification(outcome, reason);
    }

    /** Whether the code was accepted. */
    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
