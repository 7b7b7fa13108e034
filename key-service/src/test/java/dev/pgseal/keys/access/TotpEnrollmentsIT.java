package dev.pgseal.keys.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.access.TotpVerification.Outcome;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TOTP enrolments in a real store with secrets wrapped on a SoftHSM2 token: codes accepted in the
 * window and once only, wrong, expired, early and malformed codes refused and counted, the lock,
 * one acceptance under concurrent presentation, and the secret re-wrapped by a master-key rotation.
 */
class TotpEnrollmentsIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final AtomicInteger LABELS = new AtomicInteger();
    /** A fixed moment in the middle of a time step. */
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:15Z");
    private static final Totp TOTP = Totp.DEFAULT;

    private StoreSettings store;
    private KeyService keys;
    private TotpEnrollments totp;

    @BeforeEach
    void open() {
        store = TestStores.freshStore("totp_it");
        keys = KeyService.open(TOKEN.keystoreSettings("mk-totp-" + LABELS.incrementAndGet()), store, Clock.systemUTC());
        totp = keys.totpEnrollments();
    }

    @AfterEach
    void close() {
        keys.close();
    }

    /** A principal with a token and an enrolment; returns the secret as an authenticator holds it. */
    private SecretBytes enrolled(String principal) {
        keys.accessTokens().create(principal, Role.ADMIN, "local:root");
        return Totp.parseBase32(totp.enroll(principal, false, "local:root").secretBase32());
    }

    private static String code(SecretBytes secret, Instant at) {
        return TOTP.code(secret, TOTP.stepAt(at));
    }

    @Test
    void enrolmentShowsTheSecretOnceAndStoresItOnlyWrapped() throws Exception {
        keys.accessTokens().create("alice", Role.ADMIN, "local:root");
        IssuedTotp issued = totp.enroll("alice", false, "local:root");

        assertThat(issued.secretBase32()).matches("[A-Z2-7]{32}");
        assertThat(issued.otpauthUri()).isEqualTo("otpauth://totp/pgseal:alice?secret=" + issued.secretBase32()
                + "&issuer=pgseal&algorithm=SHA1&digits=6&period=30");
        assertThat(issued.toString()).doesNotContain(issued.secretBase32());
        assertThat(issued.enrollment().masterKeyLabel()).isEqualTo(keys.currentMasterKeyLabel());
        String hex = HexFormat.of().formatHex(Totp.parseBase32(issued.secretBase32()).reveal(SecretAccess.INSTANCE));
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select t::text, encode(secret_wrapped, 'hex') from pgseal.totp_enrollments t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).doesNotContainIgnoringCase(issued.secretBase32()).doesNotContain(hex);
            assertThat(rs.getString(2)).doesNotContain(hex);
        }
        AuditQuery.Entry e = keys.auditEvents(new AuditQuery(null, "local:root", "totp.enroll", 1)).get(0);
        assertThat(e.object()).isEqualTo("principal:alice");
        assertThat(e.details().toString()).doesNotContain(issued.secretBase32());
    }

    @Test
    void theCurrentCodeIsAcceptedOnceAndThenRefusedAsAReplay() {
        SecretBytes secret = enrolled("alice");
        String code = code(secret, NOW);

        assertThat(totp.verify("alice", code, NOW).outcome()).isEqualTo(Outcome.ACCEPTED);
        TotpVerification again = totp.verify("alice", code, NOW.plusSeconds(5));
        assertThat(again.outcome()).isEqualTo(Outcome.REPLAYED);
        assertThat(again.reason()).isEqualTo("TOTP code already used: each code is accepted once; wait for the next one");
        // The previous step's code is inside the skew window but older than the accepted one.
        assertThat(totp.verify("alice", code(secret, NOW.minusSeconds(30)), NOW).outcome()).isEqualTo(Outcome.REPLAYED);
        assertThat(totp.verify("alice", code(secret, NOW.plusSeconds(30)), NOW.plusSeconds(30)).outcome())
                .isEqualTo(Outcome.ACCEPTED);
        assertThat(totp.find("alice").orElseThrow().lastUsedAt()).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void oneStepOfClockSkewIsAcceptedEitherSide() {
        SecretBytes a = enrolled("slow-device");
        SecretBytes b = enrolled("fast-device");
        assertThat(totp.verify("slow-device", code(a, NOW.minusSeconds(30)), NOW).outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(totp.verify("fast-device", code(b, NOW.plusSeconds(30)), NOW).outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void expiredEarlyWrongMalformedAndMissingCodesAreRefusedWithTheirReason() {
        SecretBytes secret = enrolled("alice");

        TotpVerification expired = totp.verify("alice", code(secret, NOW.minusSeconds(90)), NOW);
        assertThat(expired.outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(expired.reason()).isEqualTo("expired TOTP code: it was valid 105 s ago (codes are accepted for 1 step "
                + "of 30 s either side of the server's time: check the clock of the device)");
        TotpVerification early = totp.verify("alice", code(secret, NOW.plusSeconds(60)), NOW);
        assertThat(early.outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(early.reason()).startsWith("TOTP code not valid yet: it is 45 s early");
        String wrong = String.format("%06d", (Integer.parseInt(code(secret, NOW)) + 1) % 1_000_000);
        assertThat(totp.verify("alice", wrong, NOW).reason()).isEqualTo("wrong TOTP code");
        assertThat(totp.verify("alice", "12345", NOW).reason()).isEqualTo("a TOTP code is 6 digits");
        assertThat(totp.find("alice").orElseThrow().failures()).isEqualTo(4);

        TotpVerification missing = totp.verify("alice", null, NOW);
        assertThat(missing.outcome()).isEqualTo(Outcome.MISSING);
        assertThat(missing.reason()).startsWith("no TOTP code: send the current 6-digit code of principal alice in the "
                + "X-Pgseal-Otp header");
        assertThat(totp.find("alice").orElseThrow().failures()).as("a missing code is not a guess").isEqualTo(4);

        assertThat(totp.verify("alice", code(secret, NOW), NOW).outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(totp.find("alice").orElseThrow().failures()).as("reset by an accepted code").isZero();
    }

    @Test
    void aPrincipalWithoutEnrolmentIsToldToEnrol() {
        keys.accessTokens().create("bob", Role.ADMIN, "local:root");
        TotpVerification v = totp.verify("bob", "123456", NOW);
        assertThat(v.outcome()).isEqualTo(Outcome.NOT_ENROLLED);
        assertThat(v.reason()).isEqualTo("principal bob has no TOTP enrolment, and dangerous operations need one: enrol "
                + "with ./pgseal tokens totp-enroll --config FILE --principal bob");
    }

    @Test
    void fiveRefusedCodesInARowLockTheFactorForFiveMinutesAndTheLockIsAudited() {
        SecretBytes secret = enrolled("alice");
        String right = code(secret, NOW);
        String wrong = String.format("%06d", (Integer.parseInt(right) + 7) % 1_000_000);
        for (int i = 1; i < TotpEnrollments.MAX_FAILURES; i++) {
            assertThat(totp.verify("alice", wrong, NOW).reason()).isEqualTo("wrong TOTP code");
        }
        TotpVerification fifth = totp.verify("alice", wrong, NOW);
        assertThat(fifth.reason()).isEqualTo("wrong TOTP code; 5 refused codes in a row: the second factor of principal "
                + "alice is locked until 2026-12-03T10:05:15Z");

        TotpVerification locked = totp.verify("alice", right, NOW.plusSeconds(1));
        assertThat(locked.outcome()).isEqualTo(Outcome.LOCKED);
        assertThat(locked.reason()).isEqualTo("too many refused TOTP codes: the second factor of principal alice is "
                + "locked until 2026-12-03T10:05:15Z");
        AuditQuery.Entry lock = keys.auditEvents(new AuditQuery(null, "alice", "totp.lock", 1)).get(0);
        assertThat(lock.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
        assertThat(lock.details()).containsEntry("failures", 5).containsEntry("locked_until", "2026-12-03T10:05:15Z");

        Instant later = NOW.plus(TotpEnrollments.LOCKOUT);
        assertThat(totp.verify("alice", code(secret, later), later).outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void aCodePresentedConcurrentlyIsAcceptedExactlyOnce() throws Exception {
        SecretBytes secret = enrolled("alice");
        String code = code(secret, NOW);
        int n = TotpEnrollments.MAX_FAILURES; // the replays stay under the lock
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<TotpVerification>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // Each verification is its own transaction on its own connection, as on separate instances.
                TotpEnrollments instance = keys.totpEnrollments();
                Callable<TotpVerification> task = () -> {
                    start.await();
                    return instance.verify("alice", code, NOW);
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            int accepted = 0;
            int replayed = 0;
            for (Future<TotpVerification> f : results) {
                Outcome o = f.get().outcome();
                accepted += o == Outcome.ACCEPTED ? 1 : 0;
                replayed += o == Outcome.REPLAYED ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(1);
            assertThat(replayed).isEqualTo(n - 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void enrolmentIsRefusedForAnUnknownPrincipalAndTwiceWithoutReplaceAndTheRefusalIsAudited() {
        assertThatThrownBy(() -> totp.enroll("ghost", false, "local:root")).isInstanceOf(AccessException.class)
                .hasMessage("no principal named ghost: create a token for it first (./pgseal tokens create --name ghost "
                        + "--role ROLE)");
        SecretBytes first = enrolled("alice");
        assertThatThrownBy(() -> totp.enroll("alice", false, "local:root")).isInstanceOf(AccessException.class)
                .hasMessageStartingWith("principal alice is already enrolled (since ");
        AuditQuery.Entry denied = keys.auditEvents(new AuditQuery(null, "local:root", "totp.enroll", 1)).get(0);
        assertThat(denied.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);

        SecretBytes second = Totp.parseBase32(totp.enroll("alice", true, "local:root").secretBase32());
        assertThat(second.equalsSecret(first)).isFalse();
        assertThat(totp.verify("alice", code(first, NOW), NOW).outcome()).isEqualTo(Outcome.WRONG);
        assertThat(totp.verify("alice", code(second, NOW), NOW).outcome()).isEqualTo(Outcome.ACCEPTED);

        totp.remove("alice", "local:root");
        assertThat(totp.verify("alice", code(second, NOW.plusSeconds(30)), NOW.plusSeconds(30)).outcome())
                .isEqualTo(Outcome.NOT_ENROLLED);
        assertThat(totp.list()).isEmpty();
    }

    @Test
    void aMasterKeyRotationRewrapsTheSecretsAndTheOldKeyCanThenBeDeleted() {
        SecretBytes secret = enrolled("alice");
        String old = keys.currentMasterKeyLabel();

        String fresh = keys.rotateMasterKey("local:root");

        assertThat(totp.find("alice").orElseThrow().masterKeyLabel()).isEqualTo(fresh);
        assertThat(totp.masterKeyReferences()).containsExactly(java.util.Map.entry(fresh, 1L));
        AuditQuery.Entry rotation = keys.auditEvents(new AuditQuery(null, "local:root", "master_key.rotate", 1)).get(0);
        assertThat(rotation.details()).containsEntry("rewrapped_totp_secrets", 1);
        assertThat(keys.deleteUnreferencedMasterKeys("local:root")).containsExactly(old);
        assertThat(totp.verify("alice", code(secret, NOW), NOW).outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void aWrappedSecretCopiedToAnotherPrincipalDoesNotUnwrap() throws Exception {
        enrolled("alice");
        enrolled("mallory");
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), null);
                Statement s = c.createStatement()) {
            s.executeUpdate("update pgseal.totp_enrollments m set secret_wrapped = a.secret_wrapped from "
                    + "pgseal.totp_enrollments a where a.principal = 'alice' and m.principal = 'mallory'");
        }
        assertThatThrownBy(() -> totp.verify("mallory", "123456", NOW)).isInstanceOf(MasterKeyStoreException.class);
    }

    @Test
    void theFactorHasNoPlainSecretAnywhereInItsToString() {
        SecretBytes secret = enrolled("alice");
        assertThat(totp.find("alice").orElseThrow().toString()).doesNotContain(Totp.base32(secret));
        assertThat(Duration.ofMinutes(5)).isEqualTo(TotpEnrollments.LOCKOUT);
    }
}
