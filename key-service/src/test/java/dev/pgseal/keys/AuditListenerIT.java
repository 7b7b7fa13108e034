package dev.pgseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.alerts.AlertRule;
import dev.pgseal.keys.alerts.AlertSettings;
import dev.pgseal.keys.alerts.Alerts;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.keys.store.KeyStoreDatabase;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit listener hook the alert rules read: told of every appended event once its transaction
 * has committed (the event is visible to another connection by then), never of a rolled-back one,
 * and a listener that throws changes nothing for the audited operation or the other listeners.
 */
class AuditListenerIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();

    private StoreSettings store;
    private KeyService service;

    @BeforeEach
    void open() {
        store = TestStores.freshStore("audit_listener");
        service = KeyService.open(TOKEN.keystoreSettings("mk-listener"), store, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    private boolean committed(long id) {
        try (Connection c = DriverManager.getConnection(store.jdbcUrl());
                PreparedStatement ps = c.prepareStatement("select 1 from pgseal.audit_log where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void listenersHearEveryEventAfterItsCommitAndAThrowingOneChangesNothing() {
        List<String> heard = new CopyOnWriteArrayList<>();
        List<Boolean> visible = new CopyOnWriteArrayList<>();
        service.addAuditListener((id, e) -> {
            throw new IllegalStateException("a broken listener");
        });
        service.addAuditListener((id, e) -> {
            heard.add(e.action() + " " + e.object() + " " + e.outcome());
            visible.add(committed(id));
        });

        service.createRing("heard", null, "alice");
        service.rotate("heard", "alice");
        service.scheduleDeletion("heard", OptionalInt.of(1), KeyService.MIN_DELETION_WAIT, "alice");
        assertThatThrownBy(() -> service.scheduleDeletion("heard", OptionalInt.of(2), KeyService.MIN_DELETION_WAIT,
                "alice")).isInstanceOf(KeyLifecycleException.class); // the primary: refused, and audited as denied
        service.recordConfigChange("pgseal", "policy p.yaml", Map.of("keys", "heard"));
        service.recordEvent(new AuditEvent("anonymous", "api.keys.list", "keys", AuditEvent.Outcome.DENIED,
                Map.of("status", 401)));

        assertThat(heard).containsExactly(
                "ring.create ring:heard/v1 SUCCESS",
                "ring.rotate ring:heard/v2 SUCCESS",
                "deletion.schedule ring:heard/v1 SUCCESS",
                "deletion.schedule ring:heard DENIED",
                "config.change policy p.yaml SUCCESS",
                "api.keys.list keys DENIED");
        assertThat(visible).containsOnly(true);
        assertThat(service.ring("heard").orElseThrow().require(1).deletionDueAt()).isNotNull();
    }

    @Test
    void deletingTheNewestAuditEventsRaisesAnAuditTamperingAlert() throws Exception {
        try (Alerts alerts = Alerts.start(AlertSettings.DEFAULT, service, Clock.systemUTC())) {
            List<String> fired = new CopyOnWriteArrayList<>();
            alerts.addObserver(new dev.pgseal.keys.alerts.AlertObserver() {
                @Override
                public void fired(dev.pgseal.keys.alerts.Alert a) {
                    fired.add(a.rule().id() + " " + a.message());
                }
            });
            service.createRing("tamper", null, "alice");
            service.rotate("tamper", "alice");
            // The periodic checkpoint: the instance now remembers the head it verified.
            assertThat(service.checkpointAuditLog()).isPresent();
            assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();
            assertThat(fired).noneMatch(f -> f.startsWith("audit_tampering"));

            // The database's owner deletes the newest events; the instance notices at its next append.
            try (Connection c = DriverManager.getConnection(store.jdbcUrl())) {
                c.createStatement().execute("delete from pgseal.audit_log where id >= (select max(id) - 1 from "
                        + "pgseal.audit_log)");
            }
            service.rotate("tamper", "alice");
            assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();
            assertThat(fired).filteredOn(f -> f.startsWith("audit_tampering")).singleElement()
                    .satisfies(f -> assertThat(f).contains("no longer extends what this instance saw"));
            List<AuditQuery.Entry> recorded = service.auditEvents(new AuditQuery(null, null,
                    AlertRule.AUDIT_TAMPERING.auditAction(), 10));
            assertThat(recorded).hasSize(1);
        }
    }

    @Test
    void afterCommitActionsRunOnlyOnCommitAndOutsideTheTransaction() {
        try (KeyStoreDatabase db = KeyStoreDatabase.open(store, false)) {
            AtomicBoolean rolledBack = new AtomicBoolean();
            assertThatThrownBy(() -> db.inTransaction(c -> {
                c.createStatement().execute("create table pgseal.listener_probe (x int)");
                db.afterCommit(c, () -> rolledBack.set(true));
                throw new IllegalStateException("roll back");
            })).hasMessage("roll back");
            assertThat(rolledBack).isFalse();

            List<Boolean> tableVisible = new CopyOnWriteArrayList<>();
            db.inTransaction(c -> {
                c.createStatement().execute("create table pgseal.listener_probe (x int)");
                db.afterCommit(c, () -> tableVisible.add(tableExists()));
                assertThat(tableVisible).isEmpty();
                return null;
            });
            assertThat(tableVisible).containsExactly(true);

            AtomicBoolean now = new AtomicBoolean();
            try (Connection outside = DriverManager.getConnection(store.jdbcUrl())) {
                db.afterCommit(outside, () -> now.set(true)); // not in one of its transactions: runs at once
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            assertThat(now).isTrue();
        }
    }

    private boolean tableExists() {
        try (Connection c = DriverManager.getConnection(store.jdbcUrl());
                ResultSet rs = c.createStatement().executeQuery("select to_regclass('pgseal.listener_probe') is not null")) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
