package dev.pgseal.keys;

import dev.pgseal.keys.access.TotpEnrollments;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.store.KeyRingRepository;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master-key job: which master key is current (recorded in the store, shared by every
 * instance), rotation with a re-wrap of every data-key version in one transaction, and deletion of
 * retired master keys no version references. Callers serialise these with ring changes (see
 * {@link KeyService}).
 */
final class MasterKeyRotation {

    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);
    private static final long MASTER_ROTATION_LOCK = 0x7067_7365_616c_4d6bL;

    private final MasterKeyStore masterKeys;
    private final KeyStoreDatabase db;
    private final Clock clock;
    private final KeyRingRepository repository;
    private final KeyAudit audit;

    MasterKeyRotation(MasterKeyStore masterKeys, KeyStoreDatabase db, Clock clock, KeyRingRepository repository,
            KeyAudit audit) {
        this.masterKeys = masterKeys;
        this.db = db;
        this.clock = clock;
        this.repository = repository;
        this.audit = audit;
    }

    /** At start: records the master key if the store has none, else switches to the one the store names. */
    void recordAtStart() {
        db.inTransaction(c -> {
            lock(c);
            Optional<String> recorded = repository.currentMasterKey(c);
            if (recorded.isEmpty()) {
                repository.recordCurrentMasterKey(c, masterKeys.currentMasterKeyLabel(), clock.instant());
            } else if (!recorded.get().equals(masterKeys.currentMasterKeyLabel())) {
                if (!masterKeys.containsMasterKey(recorded.get())) {
                    throw new MasterKeyStoreException("the key store's current master key '" + recorded.get()
                            + "' is not in " + masterKeys.description());
                }
                masterKeys.useMasterKey(recorded.get());
            }
            audit.append(c, AuditEvent.success(KeyService.SYSTEM_ACTOR, "keystore.open", "master-key:"
                    + masterKeys.currentMasterKeyLabel(), Map.of("keystore", masterKeys.description())));
            return null;
        });
    }

    /** Follows a rotation another instance committed, inside the caller's transaction. */
    void syncWithStore(Connection c) throws SQLException {
        Optional<String> recorded = repository.currentMasterKey(c);
        if (recorded.isPresent() && !recorded.get().equals(masterKeys.currentMasterKeyLabel())) {
            masterKeys.useMasterKey(recorded.get());
        }
    }

    /** See {@link KeyService#rotateMasterKey(String)}; the caller reloads the rings afterwards. */
    String rotate(String actor) {
        String old = masterKeys.currentMasterKeyLabel();
        String fresh;
        try {
            fresh = masterKeys.createNewMasterKey();
        } catch (MasterKeyStoreException e) {
            audit.failed(actor, "master_key.rotate", "master-key:" + old, e);
            throw e;
        }
        try {
            db.inTransaction(c -> {
                lock(c);
                try (PreparedStatement ps = c.prepareStatement("select id from pgseal.key_rings order by id for update")) {
                    ps.executeQuery().close();
                }
                Instant now = clock.instant();
                repository.recordCurrentMasterKey(c, fresh, now);
                int rewrapped = 0;
                for (KeyRing ring : repository.findAll(c)) {
                    KeyRing next = ring;
                    for (KeyVersion v : ring.versions()) {
                        if (v.wrapped() == null || v.masterKeyLabel().equals(fresh)) {
                            continue;
                        }
                        byte[] aad = DataKeyCache.dataKeyAssociatedData(ring.id(), v.version());
                        try (SecretBytes dek = masterKeys.unwrap(v.wrapped(), aad)) {
                            next = next.withVersion(v.withWrapped(masterKeys.wrap(dek, aad)));
                        }
                        rewrapped++;
                    }
                    repository.save(c, next);
                }
                int totpSecrets = TotpEnrollments.rewrap(c, masterKeys);
                audit.append(c, AuditEvent.success(actor, "master_key.rotate", "master-key:" + fresh,
                        KeyAudit.details("from", old, "to", fresh, "rewrapped_versions", rewrapped,
                                "rewrapped_totp_secrets", totpSecrets)));
                return null;
            });
        } catch (RuntimeException e) {
            masterKeys.useMasterKey(old);
            audit.failed(actor, "master_key.rotate", "master-key:" + fresh, e);
            throw e;
        }
        LOG.info("master key rotated from '{}' to '{}'", old, fresh);
        return fresh;
    }

    /** See {@link KeyService#deleteUnreferencedMasterKeys(String)}. */
    List<String> deleteUnreferenced(String actor) {
        return db.inTransaction(c -> {
            lock(c);
            List<String> deleted = new ArrayList<>();
            for (String label : repository.unreferencedRetiredMasterKeys(c)) {
                if (masterKeys.containsMasterKey(label)) {
                    masterKeys.deleteMasterKey(label);
                }
                repository.markMasterKeyDeleted(c, label, clock.instant());
                audit.append(c, AuditEvent.success(actor, "master_key.delete", "master-key:" + label, Map.of()));
                deleted.add(label);
            }
            return deleted;
        });
    }

    String currentLabel() {
        return masterKeys.currentMasterKeyLabel();
    }

    Map<String, Long> references() {
        return db.inTransaction(repository::masterKeyReferences);
    }

    private static void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            ps.setLong(1, MASTER_ROTATION_LOCK);
            ps.execute();
        }
    }
}
