package dev.pgseal.keys.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.audit.AuditLog.StoredEvent;
import dev.pgseal.keys.store.KeyStoreDatabase;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The keyed audit chain against a real PostgreSQL, with the audit key on a SoftHSM2 token and in
 * the software keystore: what someone with write access to schema {@code pgseal} (but not the
 * HSM, nor the checkpoint file) can do to the log, and that each of it is named.
 */
class AuditTrailIT {

    private static final AtomicInteger LABELS = new AtomicInteger();
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    /** Where the audit key lives. */
    enum Keys { PKCS11, SOFTWARE }

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private StoreSettings store;
    private KeystoreSettings keystore;
    private AuditSettings audit;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private KeystoreSettings keystore(Keys keys, String masterLabel) throws IOException {
        if (keys == Keys.PKCS11) {
            return SoftHsmToken.get().keystoreSettings(masterLabel);
        }
        Path pass = dir.resolve("passphrase");
        Files.writeString(pass, "test passphrase", StandardCharsets.UTF_8);
        return new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(), Optional.empty(), Optional.empty(),
                masterLabel, Optional.of(dir.resolve("keys.p12")), Optional.of(SecretSource.file(pass)));
    }

    /** A service with a fresh store and checkpoint file that has written {@code rings} rings (2 events each). */
    private KeyService service(Keys keys, int rings) throws IOException {
        store = TestStores.freshStore("audit_it");
        keystore = keystore(keys, "mk-audit-" + LABELS.incrementAndGet());
        audit = new AuditSettings(Optional.of(dir.resolve("checkpoints/audit.jsonl")), Duration.ofHours(1),
                "audit-key-" + keys.name().toLowerCase());
        KeyService service = KeyService.open(keystore, store, audit, Clock.fixed(NOW, ZoneOffset.UTC),
                KeyCacheSettings.DEFAULT);
        open.add(service);
        for (int i = 0; i < rings; i++) {
            service.createRing("ring-" + i, null, "admin");
        }
        return service;
    }

    private AuditChainReport verifyOffline() {
        return AuditChainVerification.verify(keystore, store, audit);
    }

    private Connection sql() throws SQLException {
        return DriverManager.getConnection(store.jdbcUrl());
    }

    private void execute(String... statements) throws SQLException {
        try (Connection c = sql(); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    private long maxId() throws SQLException {
        try (Connection c = sql(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select coalesce(max(id), 0) from pgseal.audit_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What an attacker without the HSM does after an edit: recompute every plain SHA-256 link. */
    private void recomputePlainHashes() throws SQLException {
        try (Connection c = sql()) {
            List<StoredEvent> events = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(AuditLog.SELECT_EVENTS + "order by id")) {
                while (rs.next()) {
                    events.add(StoredEvent.read(rs));
                }
            }
            byte[] prev = AuditLog.GENESIS;
            for (StoredEvent e : events) {
                byte[] hash = e.plainHash(prev);
                try (PreparedStatement ps = c.prepareStatement(
                        "update pgseal.audit_log set prev_hash = ?, hash = ? where id = ?")) {
                    ps.setBytes(1, prev);
                    ps.setBytes(2, hash);
                    ps.setLong(3, e.id());
                    ps.executeUpdate();
                }
                prev = hash;
            }
        }
    }

    private boolean plainChainIntact() throws SQLException {
        try (Connection c = sql()) {
            return AuditLog.verify(c).intact();
        }
    }

    @ParameterizedTest
    @EnumSource(Keys.class)
    void aNormalRunIsIntactAndExtendsTheCheckpointWrittenAtShutdown(Keys keys) throws Exception {
        KeyService service = service(keys, 3);
        service.rotate("ring-0", "alice");
        long events = maxId();
        service.close();
        open.remove(service);

        List<String> lines = Files.readAllLines(audit.checkpointFile().orElseThrow());
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2); // at start and at shutdown
        AuditCheckpoint last = AuditCheckpoint.parse(lines.get(lines.size() - 1));
        assertThat(last.lastId()).isEqualTo(events);
        assertThat(last.count()).isEqualTo(events);
        assertThat(last.keyedFrom()).isEqualTo(1);

        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).as(report.describe()).isTrue();
        assertThat(report.events()).isEqualTo(events);
        assertThat(report.unkeyedEvents()).isZero();
        assertThat(report.checkpointLastId()).isEqualTo(events);
        assertThat(report.notes()).isEmpty();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(AuditChainVerification.run(keystore, store, audit, true, o, o)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("{\"intact\":true,\"events\":" + events + ",");
    }

    @ParameterizedTest
    @EnumSource(Keys.class)
    void aForgedEventWithRecomputedPlainHashesIsNamedByItsMac(Keys keys) throws Exception {
        KeyService service = service(keys, 3);
        execute("update pgseal.audit_log set actor = 'someone-else' where id = 3");
        recomputePlainHashes();
        assertThat(plainChainIntact()).as("the plain chain alone is fooled").isTrue();

        // The running instance first: closing a second PKCS#11 provider in this JVM logs the token out under it.
        for (AuditChainReport report : List.of(service.verifyAuditLog(), verifyOffline())) {
            assertThat(report.intact()).isFalse();
            assertThat(report.brokenAtId()).isEqualTo(3);
            assertThat(report.reason()).startsWith("event 3 was edited (its MAC does not match its content");
            assertThat(report.events()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Keys.class)
    void deletingTheNewestEventsIsDetectedThroughTheCheckpointAndByTheRunningInstance(Keys keys) throws Exception {
        KeyService service = service(keys, 3);
        long last = service.checkpointAuditLog().orElseThrow().lastId();
        assertThat(last).isEqualTo(maxId());
        execute("delete from pgseal.audit_log where id > " + (last - 2));

        assertThat(service.checkpointAuditLog()).as("no checkpoint over a truncated chain").isEmpty();
        assertThat(service.verifyAuditLog().brokenAtId()).isEqualTo(last - 1);

        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isEqualTo(last - 1);
        assertThat(report.reason()).startsWith("events " + (last - 1) + ".." + last + " were deleted: the checkpoint of ")
                .endsWith("the log ends at event " + (last - 2) + " (a truncated tail)");
    }

    @ParameterizedTest
    @EnumSource(Keys.class)
    void twoReorderedEventsAreNamedAsReorderedEvenWithRecomputedPlainHashes(Keys keys) throws Exception {
        service(keys, 3);
        execute("update pgseal.audit_log set id = -3 where id = 3",
                "update pgseal.audit_log set id = 3 where id = 4",
                "update pgseal.audit_log set id = 4 where id = -3");
        recomputePlainHashes();
        assertThat(plainChainIntact()).isTrue();

        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isEqualTo(3);
        assertThat(report.reason()).isEqualTo("events were reordered (the event stored as 4 is the one that follows "
                + "event 2 in the chain, not event 3)");
    }

    @Test
    void truncatingAndLettingTheServerAppendAgainDoesNotFoolTheCheckpoint() throws Exception {
        KeyService service = service(Keys.SOFTWARE, 2);
        long last = service.checkpointAuditLog().orElseThrow().lastId();
        execute("delete from pgseal.audit_log where id >= " + (last - 1));
        // A server started without the checkpoint file: it trusts the stored head and appends after it.
        KeyService other = KeyService.open(keystore, store,
                new AuditSettings(Optional.empty(), Duration.ofHours(1), audit.keyLabel()), Clock.systemUTC(),
                KeyCacheSettings.DEFAULT);
        open.add(other);
        for (int i = 0; i < 4; i++) {
            other.createRing("after-" + i, null, "mallory");
        }
        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isEqualTo(last);
        assertThat(report.reason()).startsWith("event " + last + " is not the event the checkpoint of ");
    }

    @Test
    void theRunningInstanceAlertsWhenTheStoredChainNoLongerExtendsItsHead() throws Exception {
        store = TestStores.freshStore("audit_it");
        keystore = keystore(Keys.SOFTWARE, "mk-audit-" + LABELS.incrementAndGet());
        KeyStoreDatabase db = KeyStoreDatabase.open(store, true);
        open.add(db);
        MasterKeyStore keys = MasterKeyStore.open(keystore);
        open.add(keys);
        AuditTrail trail = AuditTrail.open(db, keys::auditMac, AuditSettings.DEFAULT, Clock.systemUTC());
        open.add(trail);
        for (int i = 0; i < 4; i++) {
            db.inTransaction(c -> trail.log().append(c, AuditEvent.success("t", "test.event", "o", null)));
        }
        assertThat(trail.checkpoint()).isPresent();
        assertThat(trail.lastAlert()).isEmpty();
        List<String> alarms = new java.util.concurrent.CopyOnWriteArrayList<>();
        trail.onTampering(alarms::add);

        execute("delete from pgseal.audit_log where id = 4");
        long appended = db.inTransaction(c -> trail.log().append(c, AuditEvent.success("t", "test.event", "o", null)));
        trail.appended(appended);
        assertThat(trail.lastAlert()).hasValueSatisfying(a -> assertThat(a)
                .contains("event 4 was appended after event 3, but this instance had seen the chain reach event 4"));

        assertThat(trail.checkpoint()).isEmpty();
        assertThat(trail.lastAlert()).hasValueSatisfying(a -> assertThat(a)
                .startsWith("event 4: event 4 is not the event the head this instance saw authenticated"));
        // Each new finding once, in order; a listener that comes late hears the last one at once.
        assertThat(alarms).hasSize(2);
        assertThat(alarms.get(0)).contains("event 4 was appended after event 3");
        assertThat(alarms.get(1)).startsWith("event 4: event 4 is not the event");
        List<String> late = new java.util.ArrayList<>();
        trail.onTampering(late::add);
        assertThat(late).containsExactly(alarms.get(1));
    }

    @Test
    void passingKeyedEventsOffAsPlainOnesIsCaughtByTheCheckpointsStartMarker() throws Exception {
        KeyService service = service(Keys.SOFTWARE, 2);
        service.checkpointAuditLog().orElseThrow();
        long last = maxId();
        execute("update pgseal.audit_log set mac = null, actor = 'someone-else' where id = 2",
                "update pgseal.audit_log set mac = null",
                "update pgseal.audit_chain set keyed_from = " + (last + 1));
        recomputePlainHashes();
        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).isFalse();
        assertThat(report.reason()).isEqualTo("the keyed chain's start marker was moved from event 1 (checkpoint of "
                + report.checkpointAt() + ") to event " + (last + 1));
    }

    @Test
    void aForgedOrAlteredCheckpointLineIsNamed() throws Exception {
        KeyService service = service(Keys.SOFTWARE, 1);
        AuditCheckpoint real = service.checkpointAuditLog().orElseThrow();
        Path file = audit.checkpointFile().orElseThrow();
        AuditCheckpoint inflated = new AuditCheckpoint(real.lastId() + 5, real.head(), real.count() + 5,
                real.keyedFrom(), real.at(), real.keyLabel(), real.mac());
        Files.writeString(file, inflated.toJsonLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
        int lines = Files.readAllLines(file).size();

        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).isFalse();
        assertThat(report.brokenAtId()).isNull();
        assertThat(report.reason()).isEqualTo(file + " line " + lines + " does not authenticate under audit key '"
                + audit.keyLabel() + "' (forged or altered)");
    }

    @Test
    void anExistingStoreKeepsItsPlainEventsWhichTheKeyedChainThenProtectsAsABlock() throws Exception {
        store = TestStores.freshStore("audit_it_v2");
        Flyway.configure().dataSource(store.jdbcUrl(), store.user(), null).schemas(KeyStoreDatabase.SCHEMA)
                .defaultSchema(KeyStoreDatabase.SCHEMA).createSchemas(true).locations("classpath:db/migration")
                .target("2").load().migrate();
        // Three events as the previous release wrote them: plain SHA-256 links, no MAC column yet.
        try (Connection c = sql()) {
            byte[] prev = AuditLog.GENESIS;
            for (long id = 1; id <= 3; id++) {
                StoredEvent e = new StoredEvent(id, NOW.minus(10 - id, ChronoUnit.MINUTES), "old", "ring.create",
                        "ring:old-" + id, "SUCCESS", "{}", prev, null, null);
                byte[] hash = e.plainHash(prev);
                try (PreparedStatement ps = c.prepareStatement("insert into pgseal.audit_log (id, at, actor, action, "
                        + "object, outcome, details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, '{}'::jsonb, ?, ?)")) {
                    ps.setLong(1, id);
                    ps.setObject(2, e.at().atOffset(ZoneOffset.UTC));
                    ps.setString(3, e.actor());
                    ps.setString(4, e.action());
                    ps.setString(5, e.object());
                    ps.setString(6, e.outcome());
                    ps.setBytes(7, prev);
                    ps.setBytes(8, hash);
                    ps.executeUpdate();
                }
                prev = hash;
            }
        }
        keystore = keystore(Keys.SOFTWARE, "mk-audit-" + LABELS.incrementAndGet());
        audit = new AuditSettings(Optional.of(dir.resolve("cp.jsonl")), Duration.ofHours(1), null);
        KeyService service = KeyService.open(keystore, store, audit, Clock.fixed(NOW, ZoneOffset.UTC),
                KeyCacheSettings.DEFAULT);
        open.add(service);
        service.createRing("new", null, "admin");

        AuditChainReport report = verifyOffline();
        assertThat(report.intact()).as(report.describe()).isTrue();
        assertThat(report.keyedFrom()).isEqualTo(4);
        assertThat(report.unkeyedEvents()).isEqualTo(3);
        assertThat(report.notes()).containsExactly("events 1..3 predate the keyed chain: each is checked by its plain "
                + "SHA-256 link only, and all of them together through event 4's MAC");

        execute("update pgseal.audit_log set actor = 'someone-else' where id = 2");
        recomputePlainHashes();
        report = verifyOffline();
        assertThat(report.brokenAtId()).isEqualTo(4);
        assertThat(report.reason()).startsWith("event 4 was edited, or the unkeyed events before it (1..3) were rewritten");
    }

    @Test
    void aMissingAuditKeyIsNotReplacedOnceKeyedEventsExist() throws Exception {
        KeyService service = service(Keys.SOFTWARE, 1);
        service.close();
        open.remove(service);
        Files.delete(dir.resolve("keys.p12")); // the keystore holding the audit key is lost
        assertThatThrownBy(() -> KeyService.open(keystore, store, audit, Clock.systemUTC(), KeyCacheSettings.DEFAULT))
                .isInstanceOf(MasterKeyStoreException.class)
                .hasMessageContaining("no audit key labelled 'audit-key-software'")
                .hasMessageContaining("which a new key could not continue: restore the keystore that holds it");
        assertThatThrownBy(this::verifyOffline).isInstanceOf(MasterKeyStoreException.class)
                .hasMessageContaining("no audit key labelled 'audit-key-software'");
    }
}
