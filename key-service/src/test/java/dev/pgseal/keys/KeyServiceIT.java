package dev.pgseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.audit.AuditChainReport;
import dev.pgseal.keys.store.StoreException;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key service against a real SoftHSM2 token and a real PostgreSQL, one fresh database per test. */
class KeyServiceIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final AtomicInteger MASTER_KEYS = new AtomicInteger();

    private StoreSettings store;
    private KeyService service;

    @BeforeEach
    void open() {
        store = TestStores.freshStore("kms_it");
        service = KeyService.open(TOKEN.keystoreSettings("mk-svc-" + MASTER_KEYS.incrementAndGet()), store,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    private Connection sql() throws SQLException {
        return DriverManager.getConnection(store.jdbcUrl());
    }

    private long count(String query) throws SQLException {
        try (Connection c = sql(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static byte[] bytes(DataKey k) {
        return k.material().reveal(SecretAccess.INSTANCE).clone();
    }

    @Test
    void openingMigratesSchemaPgsealWithFlywayHistoryThereAndRecordsTheMasterKey() throws SQLException {
        assertThat(count("select count(*) from pgseal.flyway_schema_history where success and version in ('1', '2')"))
                .isEqualTo(2);
        assertThat(count("select count(*) from pgseal.master_keys where state = 'CURRENT'")).isEqualTo(1);
        assertThat(service.health().up()).isTrue();
    }

    @Test
    void aWrongPinOrAnUnreachableStoreStopsTheStartWithOneMessage() {
        // PKCS#11 login is per process and token: log this test's service out first.
        service.close();
        service = null;
        assertThatThrownBy(() -> KeyService.open(TOKEN.keystoreSettingsWithPin("mk-x", "wrong"), store,
                Clock.systemUTC()))
                .isInstanceOf(MasterKeyStoreException.class)
                .hasMessage("wrong PIN for PKCS#11 token '" + TOKEN.label() + "' (CKR_PIN_INCORRECT)");
        StoreSettings unreachable = new StoreSettings("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=2",
                "postgres", java.util.Optional.empty(), 1);
        assertThatThrownBy(() -> KeyService.open(TOKEN.keystoreSettings("mk-x"), unreachable, Clock.systemUTC()))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot connect to the key store database jdbc:postgresql://127.0.0.1:1/postgres");
    }

    @Test
    void ensureRingsCreatesAnActiveFirstVersionOnceForEveryPolicyKey() {
        List<KeyRing> created = service.ensureRings(List.of("patients", "billing"), "admin");
        assertThat(created).extracting(KeyRing::name).containsExactly("patients", "billing");
        assertThat(service.ensureRings(List.of("patients", "billing", "hr"), "admin"))
                .extracting(KeyRing::name).containsExactly("hr");
        for (KeyRing r : service.listRings()) {
            assertThat(r.versions()).singleElement().satisfies(v -> {
                assertThat(v.state()).isEqualTo(KeyState.ACTIVE);
                assertThat(v.version()).isEqualTo(1);
            });
        }
        DataKey k = service.encryptionKey("patients");
        assertThat(k.version()).isEqualTo(1);
        assertThat(k.material().length()).isEqualTo(32);
    }

    @Test
    void rotationMakesTheNewVersionPrimaryAndLeavesTheOldOneDecryptOnly() {
        KeyRing ring = service.createRing("patients", Duration.ofDays(90), "admin");
        byte[] v1 = bytes(service.encryptionKey("patients"));
        KeyRing rotated = service.rotate("patients", "admin");
        assertThat(rotated.primaryVersion()).isEqualTo(2);
        assertThat(rotated.require(1).state()).isEqualTo(KeyState.DEACTIVATED);
        assertThat(rotated.require(1).deactivatedAt()).isEqualTo(NOW);
        DataKey v2 = service.encryptionKey("patients");
        assertThat(v2.version()).isEqualTo(2);
        assertThat(bytes(v2)).isNotEqualTo(v1);
        assertThat(bytes(service.decryptionKey(ring.id(), 1))).isEqualTo(v1);
        assertThat(service.listRings()).singleElement().satisfies(r -> {
            assertThat(r.primaryVersion()).isEqualTo(2);
            assertThat(r.rotationPeriod()).isEqualTo(Duration.ofDays(90));
        });
    }

    @Test
    void liveKeysArePrimaryFirstThenEveryVersionThatStillDecrypts() {
        service.createRing("r", null, "admin");
        for (int i = 0; i < 4; i++) {
            service.rotate("r", "admin"); // v5 primary
        }
        service.setMinDecryptionVersion("r", 2, "admin");
        service.setState("r", 3, KeyState.DESTROYED, "admin");
        service.setState("r", 4, KeyState.COMPROMISED, "admin");
        service.addVersion("r", "admin"); // v6 pre-active
        assertThat(service.liveKeys("r")).extracting(DataKey::version).containsExactly(5, 4, 2);
    }

    @ParameterizedTest(name = "{0} -> {1} is refused")
    @CsvSource({
        "DESTROYED, ACTIVE",
        "DESTROYED, DEACTIVATED",
        "DEACTIVATED, ACTIVE",
        "COMPROMISED, DEACTIVATED",
        "COMPROMISED, ACTIVE",
    })
    void illegalTransitionsAreRefusedWithTheAllowedOnes(KeyState from, KeyState to) {
        service.createRing("r", null, "admin");
        service.rotate("r", "admin"); // v1 is now DEACTIVATED
        if (from != KeyState.DEACTIVATED) {
            service.setState("r", 1, from, "admin");
        }
        assertThatThrownBy(() -> service.setState("r", 1, to, "admin"))
                .isInstanceOf(KeyLifecycleException.class)
                .hasMessageStartingWith("key ring r version 1: cannot go from " + from.displayName() + " to "
                        + to.displayName());
        assertThat(service.listRings().get(0).require(1).state()).isEqualTo(from);
    }

    @Test
    void thePrimaryCannotBeDeactivatedCompromisedOrDestroyedWithoutRotation() {
        service.createRing("r", null, "admin");
        for (KeyState target : List.of(KeyState.DEACTIVATED, KeyState.COMPROMISED, KeyState.DESTROYED)) {
            assertThatThrownBy(() -> service.setState("r", 1, target, "admin"))
                    .isInstanceOf(KeyLifecycleException.class)
                    .hasMessageContaining("version 1");
        }
        assertThat(service.listRings().get(0).primaryVersion()).isEqualTo(1);
    }

    @Test
    void activatingAPreActiveVersionKeepsExactlyOnePrimary() throws SQLException {
        service.createRing("r", null, "admin");
        KeyRing withPending = service.addVersion("r", "admin");
        assertThat(withPending.require(2).state()).isEqualTo(KeyState.PRE_ACTIVE);
        assertThat(service.encryptionKey("r").version()).isEqualTo(1);
        int ringId = withPending.id();
        assertThatThrownBy(() -> service.decryptionKey(ringId, 2))
                .isInstanceOf(KeyUnavailableException.class).hasMessageContaining("pre-active");
        KeyRing activated = service.setState("r", 2, KeyState.ACTIVE, "admin");
        assertThat(activated.versions()).filteredOn(v -> v.state() == KeyState.ACTIVE)
                .singleElement().extracting(KeyVersion::version).isEqualTo(2);
        assertThat(count("select count(*) from pgseal.key_versions where state = 'ACTIVE'")).isEqualTo(1);
        // The database refuses a second active version even past the service.
        assertThatThrownBy(() -> {
            try (Connection c = sql(); Statement s = c.createStatement()) {
                s.executeUpdate("update pgseal.key_versions set state = 'ACTIVE' where version = 1");
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("key_versions_one_active");
    }

    @Test
    void minDecryptionVersionIsCheckedAgainstTheRingInvariants() {
        KeyRing ring = service.createRing("r", null, "admin");
        service.rotate("r", "admin");
        service.rotate("r", "admin");
        assertThatThrownBy(() -> service.setMinDecryptionVersion("r", 4, "admin"))
                .isInstanceOf(KeyLifecycleException.class).hasMessageContaining("is not in 1..3");
        assertThatThrownBy(() -> service.setMinDecryptionVersion("r", 0, "admin"))
                .isInstanceOf(KeyLifecycleException.class);
        service.setMinDecryptionVersion("r", 2, "admin");
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 1))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessage("key ring r version 1 is below the minimum decryption version 2");
        assertThat(service.decryptionKey(ring.id(), 2).version()).isEqualTo(2);
    }

    @Test
    void aFailedSaveLeavesMemoryAndStoreAsTheyWere() throws SQLException {
        service.createRing("r", null, "admin");
        service.rotate("r", "admin");
        DataKey primary = service.encryptionKey("r");
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.execute("create function pgseal.refuse_audit() returns trigger language plpgsql as "
                    + "$$ begin raise exception 'audit log is read-only'; end $$");
            s.execute("create trigger refuse before insert on pgseal.audit_log for each row "
                    + "execute function pgseal.refuse_audit()");
        }
        assertThatThrownBy(() -> service.rotate("r", "admin"))
                .isInstanceOf(StoreException.class).hasMessageContaining("audit log is read-only");
        assertThat(service.ring("r").orElseThrow().primaryVersion()).isEqualTo(2);
        assertThat(service.ring("r").orElseThrow().latestVersion()).isEqualTo(2);
        assertThat(service.encryptionKey("r")).isSameAs(primary);
        assertThat(service.listRings().get(0).latestVersion()).isEqualTo(2);
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.execute("drop trigger refuse on pgseal.audit_log");
        }
        assertThat(service.rotate("r", "admin").primaryVersion()).isEqualTo(3);
    }

    @Test
    void anUnwrapWhoseAuditEventCannotBeWrittenReleasesNoKey() throws SQLException {
        KeyRing ring = service.createRing("r", null, "admin");
        service.invalidateCache();
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.execute("alter table pgseal.audit_log rename to audit_log_gone");
        }
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 1))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("key ring r version 1 is not released: the audit log cannot be written");
    }

    @Test
    void aDestroyedVersionLosesItsMaterialAndFailsDecryptionClearly() throws SQLException {
        KeyRing ring = service.createRing("r", null, "admin");
        service.decryptionKey(ring.id(), 1);
        service.rotate("r", "admin");
        service.setState("r", 1, KeyState.DESTROYED, "admin");
        assertThat(count("select count(*) from pgseal.key_versions where version = 1 and wrapped_material is null "
                + "and master_key_label is null and destroyed_at is not null")).isEqualTo(1);
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 1))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessage("key ring r version 1 was destroyed at " + NOW);
    }

    @Test
    void requestsAreCheckedBeforeAnyCrypto() {
        KeyRing ring = service.createRing("r", null, "admin");
        long misses = service.cacheStats().misses();
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 2))
                .isInstanceOf(KeyUnavailableException.class).hasMessage("key ring r has no version 2 (latest is 1)");
        assertThatThrownBy(() -> service.decryptionKey(ring.id() + 100, 1))
                .isInstanceOf(KeyUnavailableException.class).hasMessage("unknown key ring id " + (ring.id() + 100));
        assertThatThrownBy(() -> service.encryptionKey("nope"))
                .isInstanceOf(KeyUnavailableException.class).hasMessage("no key ring named nope");
        assertThat(service.cacheStats().misses()).isEqualTo(misses);
    }

    @Test
    void deletionIsScheduledWithinSevenToThirtyDaysAndCanBeCancelled() {
        KeyRing ring = service.createRing("r", null, "admin");
        service.rotate("r", "admin");
        assertThatThrownBy(() -> service.scheduleDeletion("r", OptionalInt.of(1), Duration.ofDays(6), "admin"))
                .isInstanceOf(KeyLifecycleException.class).hasMessageContaining("between 7 and 30 days");
        assertThatThrownBy(() -> service.scheduleDeletion("r", OptionalInt.of(2), null, "admin"))
                .isInstanceOf(KeyLifecycleException.class).hasMessageContaining("primary version");
        assertThat(service.scheduleDeletion("r", OptionalInt.of(1), null, "admin")).isEqualTo(NOW.plus(Duration.ofDays(30)));
        Instant due = service.scheduleDeletion("r", OptionalInt.of(1), Duration.ofDays(7), "admin");
        assertThat(due).isEqualTo(NOW.plus(Duration.ofDays(7)));
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 1))
                .isInstanceOf(KeyUnavailableException.class).hasMessageContaining("scheduled for deletion");

        assertThat(service.runDueDeletions(NOW.plus(Duration.ofDays(6)))).isEmpty();
        service.cancelDeletion("r", OptionalInt.of(1), "admin");
        assertThat(service.decryptionKey(ring.id(), 1).version()).isEqualTo(1);
        assertThat(service.runDueDeletions(NOW.plus(Duration.ofDays(31)))).isEmpty();

        service.scheduleDeletion("r", OptionalInt.of(1), Duration.ofDays(7), "admin");
        assertThat(service.runDueDeletions(NOW.plus(Duration.ofDays(7)))).containsExactly("ring:r/v1");
        assertThat(service.listRings().get(0).require(1).state()).isEqualTo(KeyState.DESTROYED);
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 1)).hasMessageContaining("was destroyed");
        assertThat(service.decryptionKey(ring.id(), 2).version()).isEqualTo(2);
    }

    @Test
    void aWholeRingDeletionDestroysEveryVersion() {
        KeyRing ring = service.createRing("old", null, "admin");
        service.rotate("old", "admin");
        service.scheduleDeletion("old", OptionalInt.empty(), Duration.ofDays(10), "admin");
        assertThatThrownBy(() -> service.encryptionKey("old")).hasMessageContaining("scheduled for deletion");
        assertThat(service.runDueDeletions(NOW.plus(Duration.ofDays(10)))).containsExactly("ring:old");
        KeyRing deleted = service.listRings().get(0);
        assertThat(deleted.deletedAt()).isEqualTo(NOW);
        assertThat(deleted.versions()).allSatisfy(v -> assertThat(v.state()).isEqualTo(KeyState.DESTROYED));
        assertThatThrownBy(() -> service.decryptionKey(ring.id(), 2)).hasMessageContaining("was deleted");
    }

    @Test
    void masterKeyRotationRewrapsEveryVersionAndDataKeysStayTheSame() {
        KeyRing a = service.createRing("a", null, "admin");
        KeyRing b = service.createRing("b", null, "admin");
        service.rotate("a", "admin");
        service.rotate("a", "admin");
        service.setState("a", 1, KeyState.DESTROYED, "admin");
        byte[] a2 = bytes(service.decryptionKey(a.id(), 2));
        byte[] a3 = bytes(service.decryptionKey(a.id(), 3));
        byte[] b1 = bytes(service.decryptionKey(b.id(), 1));
        String old = service.currentMasterKeyLabel();

        String fresh = service.rotateMasterKey("admin");
        assertThat(fresh).isEqualTo(old + "-2");
        assertThat(service.masterKeyReferences()).containsEntry(old, 0L).containsEntry(fresh, 3L);
        service.invalidateCache();
        long misses = service.cacheStats().misses();
        assertThat(bytes(service.decryptionKey(a.id(), 2))).isEqualTo(a2);
        assertThat(bytes(service.decryptionKey(a.id(), 3))).isEqualTo(a3);
        assertThat(bytes(service.decryptionKey(b.id(), 1))).isEqualTo(b1);
        assertThat(service.cacheStats().misses()).isEqualTo(misses + 3);
        assertThat(service.rotate("b", "admin").require(2).masterKeyLabel()).isEqualTo(fresh);

        assertThat(service.deleteUnreferencedMasterKeys("admin")).containsExactly(old);
        assertThat(service.masterKeyReferences()).containsKey(old);
        assertThat(service.deleteUnreferencedMasterKeys("admin")).isEmpty();
    }

    @Test
    void aRestartUsesTheRotatedMasterKey() {
        KeyRing a = service.createRing("a", null, "admin");
        byte[] a1 = bytes(service.decryptionKey(a.id(), 1));
        String firstLabel = service.currentMasterKeyLabel();
        String fresh = service.rotateMasterKey("admin");
        service.close();
        service = KeyService.open(TOKEN.keystoreSettings(firstLabel), store, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(service.currentMasterKeyLabel()).isEqualTo(fresh);
        assertThat(bytes(service.decryptionKey(a.id(), 1))).isEqualTo(a1);
    }

    @Test
    void theCacheCountsHitsAndMissesAndIsInvalidatedOnStateChanges() {
        KeyRing ring = service.createRing("r", null, "admin");
        KeyCacheStats start = service.cacheStats();
        DataKey first = service.encryptionKey("r");
        DataKey again = service.encryptionKey("r");
        service.decryptionKey(ring.id(), 1);
        assertThat(again).isSameAs(first);
        KeyCacheStats after = service.cacheStats();
        assertThat(after.misses() - start.misses()).isEqualTo(1);
        assertThat(after.hits() - start.hits()).isEqualTo(2);

        service.rotate("r", "admin");
        service.setState("r", 1, KeyState.DESTROYED, "admin");
        assertThat(service.cacheStats().cachedKeys()).isZero();
        assertThat(first.material().isDestroyed()).as("a thread still holding it gets a grace period").isFalse();
        service.close();
        service = null;
        assertThat(first.material().isDestroyed()).as("evicted keys are erased at the latest on close").isTrue();
    }

    @Test
    void everyOperationIsAuditedAndTheChainVerifies() throws SQLException {
        service.createRing("r", null, "admin");
        service.rotate("r", "alice");
        assertThatThrownBy(() -> service.setState("r", 2, KeyState.DESTROYED, "mallory"));
        service.encryptionKey("r");
        AuditChainReport report = service.verifyAuditLog();
        assertThat(report.intact()).isTrue();
        long events = count("select count(*) from pgseal.audit_log");
        assertThat(report.events()).isEqualTo(events).isGreaterThanOrEqualTo(5);
        assertThat(count("select count(*) from pgseal.audit_log where action = 'ring.rotate' and actor = 'alice' "
                + "and outcome = 'SUCCESS' and details->>'to_version' = '2'")).isEqualTo(1);
        assertThat(count("select count(*) from pgseal.audit_log where actor = 'mallory' and outcome = 'DENIED'"))
                .isEqualTo(1);
        assertThat(count("select count(*) from pgseal.audit_log where action = 'key.unwrap'")).isEqualTo(1);
        assertThat(count("select count(*) from pgseal.audit_log where details::text ~* 'material|secret'")).isZero();
    }

    @Test
    void anEditedAuditRowIsNamed() throws SQLException {
        service.createRing("r", null, "admin");
        service.rotate("r", "admin");
        service.rotate("r", "admin");
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.executeUpdate("update pgseal.audit_log set actor = 'someone-else' where id = 3");
        }
        AuditChainReport report = service.verifyAuditLog();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isEqualTo(3);
        assertThat(report.reason()).contains("event 3 was edited");
        assertThat(report.events()).isEqualTo(2);
    }

    @Test
    void aDeletedAuditRowIsDetected() throws SQLException {
        service.createRing("r", null, "admin");
        service.rotate("r", "admin");
        service.rotate("r", "admin");
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.executeUpdate("delete from pgseal.audit_log where id = 2");
        }
        AuditChainReport report = service.verifyAuditLog();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isEqualTo(3);
        assertThat(report.reason()).contains("event 2 was deleted");
    }

    @Test
    void aRowReplacedWithAConsistentlyRehashedOneStillBreaksTheNextLink() throws SQLException {
        service.createRing("r", null, "admin");
        service.rotate("r", "admin");
        service.rotate("r", "admin");
        // Delete row 2 and renumber row 3 as 2: ids are contiguous again, but row 3's hash covered id 3.
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.executeUpdate("delete from pgseal.audit_log where id = 2");
            s.executeUpdate("update pgseal.audit_log set id = 2 where id = 3");
        }
        AuditChainReport report = service.verifyAuditLog();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isEqualTo(2);
    }

    @Test
    void offlineKeysListingShowsRingsAndRefusesAStoreWithoutSchemaPgseal() throws SQLException {
        service.createRing("patients", null, "admin");
        service.rotate("patients", "admin");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

        assertThat(KeysListing.run(store, false, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("RING", "patients", "deactivated", "active")
                .doesNotContain("pre-active");
        out.reset();
        assertThat(KeysListing.run(store, true, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"name\" : \"patients\"", "\"primary_version\" : 2");

        StoreSettings empty = TestStores.freshStore("kms_empty");
        err.reset();
        assertThat(KeysListing.run(empty, false, o, e)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no key store (schema pgseal)");
    }

    @Test
    void twoInstancesAppendingAtOnceKeepOneLinearChain() throws Exception {
        String label = service.currentMasterKeyLabel();
        try (KeyService other = KeyService.open(TOKEN.keystoreSettings(label), store, Clock.systemUTC())) {
            List<KeyService> instances = List.of(service, other);
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < 2; t++) {
                KeyService s = instances.get(t);
                int n = t;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 8; i++) {
                            s.createRing("ring-" + n + "-" + i, null, "instance-" + n);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(java.time.Duration.ofSeconds(60).toMillis());
                assertThat(t.isAlive()).as("instance %s finished its appends within 60 s", t.getName()).isFalse();
            }
            assertThat(errors).isEmpty();
            // Verified while both are open: closing one PKCS#11 provider logs this JVM out of the token,
            // and verifying the keyed chain needs the token.
            AuditChainReport report = service.verifyAuditLog();
            assertThat(report.intact()).isTrue();
        }
        assertThat(count("select count(*) from pgseal.audit_log where action = 'ring.create'")).isEqualTo(16);
        assertThat(count("select max(id) - count(*) from pgseal.audit_log")).isZero();
    }

    @Test
    void configChangesAreAudited() throws SQLException {
        service.recordConfigChange("admin", "policy:policy.yaml", Map.of("keys", 3));
        assertThat(count("select count(*) from pgseal.audit_log where action = 'config.change'")).isEqualTo(1);
    }
}
