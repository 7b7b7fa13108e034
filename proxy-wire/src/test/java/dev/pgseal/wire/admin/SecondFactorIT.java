package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.access.Totp;
import dev.pgseal.keys.access.TotpEnrollments;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.keys.audit.AuditSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TOTP second factor on every dangerous endpoint of a running admin API (real store, software
 * keystore, codes checked against a clock the test moves): no code, a wrong code, an expired code
 * and a replayed code are each refused with 403, a reason and an audit event, and change nothing; a
 * fresh code is accepted. Also: principals without enrolment, the lock after repeated failures, and
 * one code presented to two instances at once.
 */
class SecondFactorIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger RINGS = new AtomicInteger();

    @TempDir
    static Path dir;

    static AdminFixture admin;

    @BeforeAll
    static void start() {
        admin = new AdminFixture(dir);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    /** A dangerous call: its audit action and a fresh target for it (path and body). */
    record Dangerous(String action, Supplier<String[]> target) {
        @Override
        public String toString() {
            return action;
        }
    }

    /** A ring with v1 deactivated, v2 primary and v3 pre-active. */
    private static String ring() {
        String name = "sf" + RINGS.incrementAndGet();
        KeyService k = admin.keys();
        k.createRing(name, null, "test-setup");
        k.rotate(name, "test-setup");
        k.addVersion(name, "test-setup");
        return name;
    }

    static List<Dangerous> dangerous() {
        return List.of(
                new Dangerous("keys.compromised", () -> new String[] {"/v1/keys/" + ring() + "/versions/1/compromised",
                    null}),
                new Dangerous("keys.schedule-deletion", () -> new String[] {"/v1/keys/" + ring() + "/schedule-deletion",
                    "{\"days\":7,\"version\":1}"}),
                new Dangerous("keys.destroy", () -> {
                    String name = ring();
                    admin.keys().scheduleDeletion(name, OptionalInt.of(1), Duration.ofDays(7), "test-setup");
                    admin.makeDeletionsDue(name);
                    return new String[] {"/v1/keys/" + name + "/destroy", null};
                }),
                new Dangerous("keys.min-decryption-version", () -> new String[] {"/v1/keys/" + ring()
                        + "/min-decryption-version", "{\"version\":2}"}),
                new Dangerous("master-keys.rotate", () -> new String[] {"/v1/master-keys/rotate", null}));
    }

    /** What a dangerous call could change: rings, versions, due deletions, minimum versions, the master key. */
    private static String state() {
        StringBuilder sb = new StringBuilder(admin.keys().currentMasterKeyLabel());
        for (KeyRing r : admin.keys().listRings()) {
            sb.append(r.name()).append(r.minDecryptionVersion()).append(r.deletionDueAt());
            r.versions().forEach(v -> sb.append(v.version()).append(v.state()).append(v.deletionDueAt()));
        }
        return sb.toString();
    }

    private static AdminFixture.Answer call(String[] target, String principalToken, String otp) {
        return admin.send("POST", target[0], target[1], principalToken, otp);
    }

    /** 403, the reason in the body and in the DENIED audit event (with the factor's name), nothing changed. */
    private static String refused(Dangerous d, String[] target, String otp, String before) throws Exception {
        AdminFixture.Answer a = call(target, admin.token(ADMIN), otp);
        assertThat(a.status()).as(a.body()).isEqualTo(403);
        JsonNode body = JSON.readTree(a.body());
        assertThat(body.path("error").asText()).isEqualTo("forbidden");
        String message = body.path("message").asText();
        AuditQuery.Entry event = admin.keys().auditEvents(new AuditQuery(null, "admin-p", "api." + d.action(), 1)).get(0);
        assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
        assertThat(event.details()).containsEntry("reason", message).containsEntry("second_factor", "totp")
                .containsEntry("status", 403);
        if (otp != null) {
            assertThat(event.details().toString()).as("the code is not logged").doesNotContain(otp);
        }
        assertThat(state()).as("a refused call changes nothing").isEqualTo(before);
        return message;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dangerous")
    void missingWrongExpiredAndReplayedCodesAreRefusedAndAFreshCodeIsAccepted(Dangerous d) throws Exception {
        String[] target = d.target().get();
        String before = state();

        assertThat(refused(d, target, null, before)).isEqualTo("second factor refused: no TOTP code: send the current "
                + "6-digit code of principal admin-p in the X-Pgseal-Otp header (CLI: --otp CODE or PGSEAL_OTP)");

        String fresh = admin.otp(ADMIN);
        String wrong = String.format("%06d", (Integer.parseInt(fresh) + 1) % 1_000_000);
        assertThat(refused(d, target, wrong, before)).isEqualTo("second factor refused: wrong TOTP code");

        String expired = admin.code(ADMIN, admin.clock().instant().minus(Duration.ofSeconds(90)));
        assertThat(refused(d, target, expired, before)).startsWith("second factor refused: expired TOTP code: it was "
                + "valid ");

        AdminFixture.Answer ok = call(target, admin.token(ADMIN), fresh);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        AuditQuery.Entry success = admin.keys().auditEvents(new AuditQuery(null, "admin-p", "api." + d.action(), 1))
                .get(0);
        assertThat(success.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
        assertThat(success.details()).containsEntry("second_factor", "totp");

        // The same code again, on a fresh target and still inside its time step: a replay.
        String[] another = d.target().get();
        String beforeReplay = state();
        assertThat(refused(d, another, fresh, beforeReplay)).isEqualTo("second factor refused: TOTP code already used: "
                + "each code is accepted once; wait for the next one");
    }

    @Test
    void aPrincipalWithoutEnrolmentIsRefusedAndToldHowToEnrol() throws Exception {
        String token = admin.keys().accessTokens().create("admin-unenrolled", ADMIN, "test-setup").secretText();
        String[] target = {"/v1/keys/" + ring() + "/schedule-deletion", "{\"days\":7}"};

        AdminFixture.Answer a = call(target, token, "123456");

        assertThat(a.status()).isEqualTo(403);
        assertThat(JSON.readTree(a.body()).path("message").asText()).isEqualTo("second factor refused: principal "
                + "admin-unenrolled has no TOTP enrolment, and dangerous operations need one: enrol with ./pgseal "
                + "tokens totp-enroll --config FILE --principal admin-unenrolled");
        AuditQuery.Entry event = admin.keys().auditEvents(new AuditQuery(null, "admin-unenrolled",
                "api.keys.schedule-deletion", 1)).get(0);
        assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
        // Routes that are not dangerous still work on the token alone.
        assertThat(admin.send("GET", "/v1/keys", null, token).status()).isEqualTo(200);
    }

    @Test
    void theRoleIsCheckedBeforeTheCodeAndOtherRoutesDoNotConsumeIt() throws Exception {
        String code = admin.otp(Role.OPERATOR);
        AdminFixture.Answer denied = admin.send("POST", "/v1/master-keys/rotate", null, admin.token(Role.OPERATOR), code);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(JSON.readTree(denied.body()).path("message").asText())
                .isEqualTo("role operator may not call master-keys.rotate (allowed: admin)");

        String adminCode = admin.otp(ADMIN);
        assertThat(admin.send("POST", "/v1/keys/" + ring() + "/rotate", null, admin.token(ADMIN), adminCode).status())
                .isEqualTo(200);
        assertThat(call(new String[] {"/v1/keys/" + ring() + "/versions/1/compromised", null}, admin.token(ADMIN),
                adminCode).status()).as("the code sent to a route that is not dangerous is still unused").isEqualTo(200);
    }

    @Test
    void repeatedFailuresLockTheFactorAndTheLockEndsOnItsOwn() throws Exception {
        String token = admin.keys().accessTokens().create("admin-locked", ADMIN, "test-setup").secretText();
        SecretBytes secret = Totp.parseBase32(admin.keys().totpEnrollments().enroll("admin-locked", false, "test-setup")
                .secretBase32());
        admin.clock().advance(Duration.ofSeconds(30));
        String right = Totp.DEFAULT.code(secret, Totp.DEFAULT.stepAt(admin.clock().instant()));
        String wrong = String.format("%06d", (Integer.parseInt(right) + 3) % 1_000_000);
        String[] target = {"/v1/keys/" + ring() + "/min-decryption-version", "{\"version\":2}"};

        for (int i = 0; i < TotpEnrollments.MAX_FAILURES; i++) {
            assertThat(call(target, token, wrong).status()).isEqualTo(403);
        }
        AdminFixture.Answer locked = call(target, token, right);
        assertThat(locked.status()).isEqualTo(403);
        assertThat(JSON.readTree(locked.body()).path("message").asText()).startsWith("second factor refused: too many "
                + "refused TOTP codes: the second factor of principal admin-locked is locked until ");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "admin-locked", "totp.lock", 1))).hasSize(1);

        admin.clock().advance(TotpEnrollments.LOCKOUT);
        String later = Totp.DEFAULT.code(secret, Totp.DEFAULT.stepAt(admin.clock().instant()));
        assertThat(call(target, token, later).status()).isEqualTo(200);
    }

    @Test
    void oneCodeSentToTwoInstancesAtOnceIsAcceptedByOnlyOne() throws Exception {
        try (KeyService secondKeys = KeyService.open(admin.keystore(), admin.store(), AuditSettings.DEFAULT,
                Clock.systemUTC(), KeyCacheSettings.DEFAULT);
                AdminServer second = AdminServer.start("127.0.0.1", 0, secondKeys, new AdminServer.Settings(64 * 1024, 2,
                        64, 60, SecondFactor.totp(admin.clock())))) {
            String code = admin.otp(ADMIN);
            String[] one = {"/v1/keys/" + ring() + "/min-decryption-version", "{\"version\":2}"};
            String[] two = {"/v1/keys/" + ring() + "/min-decryption-version", "{\"version\":2}"};
            CompletableFuture<AdminFixture.Answer> a = CompletableFuture.supplyAsync(() ->
                    admin.send("POST", one[0], one[1], admin.token(ADMIN), code));
            CompletableFuture<AdminFixture.Answer> b = CompletableFuture.supplyAsync(() ->
                    admin.send("http://127.0.0.1:" + second.port(), "POST", two[0], two[1], admin.token(ADMIN), code));

            List<Integer> statuses = List.of(a.get().status(), b.get().status());
            assertThat(statuses).containsExactlyInAnyOrder(200, 403);
            AdminFixture.Answer refused = a.get().status() == 403 ? a.get() : b.get();
            assertThat(JSON.readTree(refused.body()).path("message").asText())
                    .isEqualTo("second factor refused: TOTP code already used: each code is accepted once; wait for the "
                            + "next one");
        }
    }
}
