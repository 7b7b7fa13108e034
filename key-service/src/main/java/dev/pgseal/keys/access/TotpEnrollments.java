package dev.pgseal.keys.access;

import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.WrappedKey;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The TOTP second factor (RFC 6238) of the admin API's principals, in {@code pgseal.totp_enrollments}.
 *
 * <p>Secrets are 160 random bits (RFC 4226's recommendation), shown once at enrolment and stored only
 * wrapped under the current master key (AES-GCM in the HSM; the associated data binds the
 * principal's name, so a wrapped secret copied to another principal's row does not unwrap). A
 * master-key rotation re-wraps them with the data keys ({@link #rewrap}).
 *
 * <p>A code is accepted for the current time step and one step either side (clock skew), once: the
 * newest accepted step is kept per principal, and a code of that step or an older one is refused
 * as a replay. The check reads and updates the principal's row under a row lock in one
 * transaction, so two pgseal instances cannot both accept the same code. After
 * {@link #MAX_FAILURES} refused codes in a row (wrong, expired, replayed or malformed) every code is
 * refused for {@link #LOCKOUT}, and the lock itself is audited; a missing code is not a failure.
 */
public final class TotpEnrollments {

    /** Parameters of every enrolment: HMAC-SHA1, 6 digits, 30 s (what authenticator apps assume). */
    public static final Totp TOTP = Totp.DEFAULT;
    /** Steps accepted either side of the server's current step. */
    public static final int SKEW_STEPS = 1;
    /** Refused codes in a row that lock the principal's second factor. */
    public static final int MAX_FAILURES = 5;
    /** How long a lock lasts. */
    public static final Duration LOCKOUT = Duration.ofMinutes(5);
    /** The issuer shown by authenticator apps. */
    public static final String ISSUER = "pgseal";

    /** Codes up to this many steps outside the window are reported as expired (or early) rather than wrong. */
    private static final int NEAR_MISS_STEPS = 10;
    private static final int SECRET_BYTES = 20;
    private static final byte[] AAD_TAG = "pgseal/totp/v1".getBytes(StandardCharsets.US_ASCII);

    private final KeyStoreDatabase db;
    private final AccessTokens.AuditAppender audit;
    private final MasterKeyStore masterKeys;
    private final SecureRandom random = new SecureRandom();

    /** Enrolments in {@code db}, secrets wrapped in {@code masterKeys}, changes audited through {@code audit}. */
    public TotpEnrollments(KeyStoreDatabase db, AccessTokens.AuditAppender audit, MasterKeyStore masterKeys) {
        this.db = Objects.requireNonNull(db, "db");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.masterKeys = Objects.requireNonNull(masterKeys, "masterKeys");
    }

    /**
     * Enrols {@code principal}: a fresh secret, stored wrapped, returned once with its
     * {@code otpauth://} URI. Replacing an enrolment also clears its failures and lock.
     *
     * @param replace whether an existing enrolment may be replaced (its secret stops working)
     * @throws AccessException when the principal does not exist, or is enrolled and {@code replace} is false
     */
    public IssuedTotp enroll(String principal, boolean replace, String actor) {
        String object = "principal:" + principal;
        return AccessTokens.audited(db, audit, actor, "totp.enroll", object, () -> {
            if (principal == null || !AccessTokens.NAME.matcher(principal).matches()) {
                throw AccessException.unknown("no principal named '" + principal + "'");
            }
            try (SecretBytes secret = SecretBytes.random(SECRET_BYTES, random)) {
                WrappedKey wrapped = masterKeys.wrap(secret, associatedData(principal));
                TotpEnrollment saved = db.inTransaction(c -> {
                    if (AccessTokens.principalRole(c, principal) == null) {
                        throw AccessException.unknown("no principal named " + principal + ": create a token for it "
                                + "first (./pgseal tokens create --name " + principal + " --role ROLE)");
                    }
                    TotpEnrollment existing = find(c, principal, false);
                    if (existing != null && !replace) {
                        throw new AccessException("principal " + principal + " is already enrolled (since "
                                + existing.enrolledAt() + "): replace the secret with --replace (the old one stops "
                                + "working)");
                    }
                    try (PreparedStatement ps = c.prepareStatement("insert into pgseal.totp_enrollments (principal, "
                            + "secret_wrapped, master_key_label, enrolled_by) values (?, ?, ?, ?) "
                            + "on conflict (principal) do update set secret_wrapped = excluded.secret_wrapped, "
                            + "master_key_label = excluded.master_key_label, enrolled_at = now(), "
                            + "enrolled_by = excluded.enrolled_by, failures = 0, locked_until = null")) {
                        ps.setString(1, principal);
                        ps.setBytes(2, wrapped.bytes());
                        ps.setString(3, wrapped.masterKeyLabel());
                        ps.setString(4, actor);
                        ps.executeUpdate();
                    }
                    audit.append(c, AuditEvent.success(actor, "totp.enroll", object, AccessTokens.details(
                            "replaced", existing != null, "master_key", wrapped.masterKeyLabel())));
                    return find(c, principal, false);
                });
                return new IssuedTotp(saved, Totp.base32(secret), TOTP.uri(ISSUER, principal, secret));
            }
        });
    }

    /**
     * Removes a principal's enrolment: its dangerous calls are refused until it enrols again.
     *
     * @throws AccessException when it has none
     */
    public TotpEnrollment remove(String principal, String actor) {
        String object = "principal:" + principal;
        return AccessTokens.audited(db, audit, actor, "totp.remove", object, () -> db.inTransaction(c -> {
            TotpEnrollment existing = principal == null ? null : find(c, principal, true);
            if (existing == null) {
                throw AccessException.unknown("principal " + principal + " has no TOTP enrolment");
            }
            try (PreparedStatement ps = c.prepareStatement("delete from pgseal.totp_enrollments where principal = ?")) {
                ps.setString(1, principal);
                ps.executeUpdate();
            }
            audit.append(c, AuditEvent.success(actor, "totp.remove", object, Map.of()));
            return existing;
        }));
    }

    /** Every enrolment, by principal (never a secret). */
    public List<TotpEnrollment> list() {
        return db.inTransaction(c -> {
            List<TotpEnrollment> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + "order by principal");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    /** The enrolment of {@code principal}, if any. */
    public Optional<TotpEnrollment> find(String principal) {
        return Optional.ofNullable(db.inTransaction(c -> find(c, principal, false)));
    }

    /**
     * Checks the code {@code principal} presented at {@code now}, and on acceptance records its step
     * so it cannot be used again, on any instance.
     *
     * @param code the code as presented, or null when none was
     */
    public TotpVerification verify(String principal, String code, Instant now) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(now, "now");
        if (code == null || code.isBlank()) {
            return TotpVerification.refused(TotpVerification.Outcome.MISSING, "no TOTP code: send the current "
                    + TOTP.digits() + "-digit code of principal " + principal + " in the X-Pgseal-Otp header "
                    + "(CLI: --otp CODE or PGSEAL_OTP)");
        }
        String presented = code.strip();
        return db.inTransaction(c -> {
            Row row = lockRow(c, principal);
            if (row == null) {
                return TotpVerification.refused(TotpVerification.Outcome.NOT_ENROLLED, "principal " + principal
                        + " has no TOTP enrolment, and dangerous operations need one: enrol with ./pgseal tokens "
                        + "totp-enroll --config FILE --principal " + principal);
            }
            if (row.lockedUntil != null && now.isBefore(row.lockedUntil)) {
                return TotpVerification.refused(TotpVerification.Outcome.LOCKED, "too many refused TOTP codes: the "
                        + "second factor of principal " + principal + " is locked until " + row.lockedUntil);
            }
            if (!TOTP.wellFormed(presented)) {
                return fail(c, principal, row, now, TotpVerification.Outcome.MALFORMED, "a TOTP code is "
                        + TOTP.digits() + " digits");
            }
            long step = TOTP.stepAt(now);
            long matched = Long.MIN_VALUE;
            long nearMiss = Long.MIN_VALUE;
            try (SecretBytes secret = masterKeys.unwrap(row.wrapped, associatedData(principal))) {
                for (long s = step - SKEW_STEPS; s <= step + SKEW_STEPS; s++) {
                    if (TOTP.matches(secret, s, presented)) {
                        matched = Math.max(matched, s);
                    }
                }
                if (matched == Long.MIN_VALUE) {
                    for (int d = SKEW_STEPS + 1; d <= NEAR_MISS_STEPS && nearMiss == Long.MIN_VALUE; d++) {
                        if (TOTP.matches(secret, step - d, presented)) {
                            nearMiss = step - d;
                        } else if (TOTP.matches(secret, step + d, presented)) {
                            nearMiss = step + d;
                        }
                    }
                }
            }
            if (matched != Long.MIN_VALUE && matched <= row.lastStep) {
                return fail(c, principal, row, now, TotpVerification.Outcome.REPLAYED, "TOTP code already used: each "
                        + "code is accepted once; wait for the next one");
            }
            if (matched != Long.MIN_VALUE) {
                try (PreparedStatement ps = c.prepareStatement("update pgseal.totp_enrollments set last_step = ?, "
                        + "last_used_at = ?, failures = 0, locked_until = null where principal = ?")) {
                    ps.setLong(1, matched);
                    ps.setObject(2, ts(now));
                    ps.setString(3, principal);
                    ps.executeUpdate();
                }
                return TotpVerification.acceptedCode();
            }
            if (nearMiss != Long.MIN_VALUE) {
                long seconds = Duration.between(TOTP.startOf(nearMiss), now).getSeconds();
                String when = nearMiss < step ? "expired TOTP code: it was valid " + seconds + " s ago"
                        : "TOTP code not valid yet: it is " + (-seconds) + " s early";
                return fail(c, principal, row, now, TotpVerification.Outcome.EXPIRED, when + " (codes are accepted for "
                        + SKEW_STEPS + " step of " + TOTP.step().getSeconds() + " s either side of the server's time: "
                        + "check the clock of the device)");
            }
            return fail(c, principal, row, now, TotpVerification.Outcome.WRONG, "wrong TOTP code");
        });
    }

    /** Master key labels and how many TOTP secrets each wraps. */
    public Map<String, Long> masterKeyReferences() {
        return db.inTransaction(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("select master_key_label, count(*) from "
                    + "pgseal.totp_enrollments group by master_key_label order by master_key_label");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /**
     * Re-wraps every TOTP secret that is not under the current master key of {@code masterKeys},
     * inside the caller's transaction (the master-key rotation's, which holds its lock).
     *
     * @return how many secrets were re-wrapped
     */
    public static int rewrap(Connection c, MasterKeyStore masterKeys) throws SQLException {
        String current = masterKeys.currentMasterKeyLabel();
        Map<String, WrappedKey> stale = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select principal, secret_wrapped, master_key_label from "
                + "pgseal.totp_enrollments where master_key_label <> ? order by principal for update")) {
            ps.setString(1, current);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stale.put(rs.getString(1), new WrappedKey(rs.getString(3), rs.getBytes(2)));
                }
            }
        }
        for (Map.Entry<String, WrappedKey> e : stale.entrySet()) {
            byte[] aad = associatedData(e.getKey());
            WrappedKey fresh;
            try (SecretBytes secret = masterKeys.unwrap(e.getValue(), aad)) {
                fresh = masterKeys.wrap(secret, aad);
            }
            try (PreparedStatement ps = c.prepareStatement("update pgseal.totp_enrollments set secret_wrapped = ?, "
                    + "master_key_label = ? where principal = ?")) {
                ps.setBytes(1, fresh.bytes());
                ps.setString(2, fresh.masterKeyLabel());
                ps.setString(3, e.getKey());
                ps.executeUpdate();
            }
        }
        return stale.size();
    }

    // ---------------------------------------------------------------- rows

    private record Row(WrappedKey wrapped, long lastStep, int failures, Instant lockedUntil) {
    }

    private static final String SELECT = "select principal, enrolled_at, enrolled_by, master_key_label, last_used_at, "
            + "failures, locked_until from pgseal.totp_enrollments ";

    /** Counts a refused code, locking the second factor at {@link #MAX_FAILURES}; the refusal is returned. */
    private TotpVerification fail(Connection c, String principal, Row row, Instant now,
            TotpVerification.Outcome outcome, String reason) throws SQLException {
        int failures = row.failures + 1;
        Instant lockedUntil = failures >= MAX_FAILURES ? now.plus(LOCKOUT) : null;
        try (PreparedStatement ps = c.prepareStatement("update pgseal.totp_enrollments set failures = ?, "
                + "locked_until = ? where principal = ?")) {
            ps.setInt(1, lockedUntil == null ? failures : 0);
            ps.setObject(2, ts(lockedUntil));
            ps.setString(3, principal);
            ps.executeUpdate();
        }
        if (lockedUntil == null) {
            return TotpVerification.refused(outcome, reason);
        }
        audit.append(c, new AuditEvent(principal, "totp.lock", "principal:" + principal, AuditEvent.Outcome.DENIED,
                AccessTokens.details("failures", failures, "locked_until", lockedUntil.toString(), "last_reason",
                        reason)));
        return TotpVerification.refused(outcome, reason + "; " + failures + " refused codes in a row: the second factor "
                + "of principal " + principal + " is locked until " + lockedUntil);
    }

    private static Row lockRow(Connection c, String principal) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select secret_wrapped, master_key_label, last_step, failures, "
                + "locked_until from pgseal.totp_enrollments where principal = ? for update")) {
            ps.setString(1, principal);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Row(new WrappedKey(rs.getString(2), rs.getBytes(1)), rs.getLong(3), rs.getInt(4),
                        instant(rs, 5));
            }
        }
    }

    private static TotpEnrollment find(Connection c, String principal, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "where principal = ?" + (lock ? " for update" : ""))) {
            ps.setString(1, principal);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    private static TotpEnrollment read(ResultSet rs) throws SQLException {
        return new TotpEnrollment(rs.getString(1), instant(rs, 2), rs.getString(3), rs.getString(4), instant(rs, 5),
                rs.getInt(6), instant(rs, 7));
    }

    /** Binds a wrapped secret to its principal (and to its purpose: it cannot pass for a data key). */
    private static byte[] associatedData(String principal) {
        byte[] name = principal.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(AAD_TAG.length + 4 + name.length).put(AAD_TAG).putInt(name.length).put(name).array();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
