package dev.pgseal.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.pgseal.keys.audit.AuditChainReport;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditLog;
import dev.pgseal.keys.store.KeyRingRepository;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgseal's KMS, as the server uses it: key rings with versioned data keys stored wrapped in
 * PostgreSQL (schema {@code pgseal}), master keys in a {@link MasterKeyStore}, unwrapped keys cached
 * in memory, and every key operation in the hash-chained audit log.
 *
 * <p>Every change reads the ring under a row lock, computes the new immutable {@link KeyRing},
 * checks its invariants, writes it and its audit event in one transaction, and only after the
 * commit publishes it in memory: a failed save leaves memory as it was. Requests for keys are
 * checked against the ring's state before any crypto; the master key store is called only on a
 * cache miss.
 */
public final class KeyService implements KeyResolver, AutoCloseable {

    /** Data keys are AES-256 keys. */
    public static final int DATA_KEY_BYTES = 32;
    /** The shortest and longest waiting periods of a scheduled deletion, and the default. */
    public static final Duration MIN_DELETION_WAIT = Duration.ofDays(7);
    public static final Duration MAX_DELETION_WAIT = Duration.ofDays(30);
    public static final Duration DEFAULT_DELETION_WAIT = Duration.ofDays(30);
    /** The actor recorded for what the server does by itself (unwraps, scheduled deletions…). */
    public static final String SYSTEM_ACTOR = "pgseal";

    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);
    private static final long MASTER_ROTATION_LOCK = 0x7067_7365_616c_4d6bL;
    private static final byte[] DEK_AAD_TAG = "pgseal/dek/v1".getBytes(StandardCharsets.US_ASCII);

    private final MasterKeyStore masterKeys;
    private final KeyStoreDatabase db;
    private final Clock clock;
    private final KeyRingRepository repository = new KeyRingRepository();
    private final AuditLog audit;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, KeyRing> ringsByName = new ConcurrentHashMap<>();
    private final Map<Integer, KeyRing> ringsById = new ConcurrentHashMap<>();
    private final Cache<Long, DataKey> cache;
    private final Cache<String, Boolean> recentDenials;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder failedUnwraps = new LongAdder();
    private final Duration eraseGrace;
    private final ScheduledExecutorService eraser;
    private final Set<SecretBytes> awaitingErasure = ConcurrentHashMap.newKeySet();

    private KeyService(MasterKeyStore masterKeys, KeyStoreDatabase db, Clock clock, KeyCacheSettings cacheSettings) {
        this.masterKeys = masterKeys;
        this.db = db;
        this.clock = clock;
        this.audit = new AuditLog(clock);
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheSettings.maximumSize())
                .expireAfterWrite(cacheSettings.expireAfterWrite())
                .executor(Runnable::run)
                .removalListener((Long id, DataKey key, RemovalCause cause) -> {
                    if (key != null) {
                        eraseLater(key.material());
                    }
                })
                .build();
        this.eraseGrace = cacheSettings.eraseGrace();
        this.eraser = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgseal-key-eraser");
            t.setDaemon(true);
            return t;
        });
        // Denials are audited once a minute per (ring, version, reason), not once per row.
        this.recentDenials = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();
    }

    /**
     * Opens the key service from the config's {@code keystore} and {@code store} sections: opens
     * the master key store (finding or creating the master key), creates or migrates schema
     * {@code pgseal}, and loads the key rings.
     *
     * @throws MasterKeyStoreException when the HSM or keystore cannot be used (one clear message)
     * @throws dev.pgseal.keys.store.StoreException when the database cannot be reached or migrated
     */
    public static KeyService open(KeystoreSettings keystore, StoreSettings store, Clock clock) {
        return open(keystore, store, clock, KeyCacheSettings.DEFAULT);
    }

    /** As {@link #open(KeystoreSettings, StoreSettings, Clock)} with explicit cache bounds. */
    public static KeyService open(KeystoreSettings keystore, StoreSettings store, Clock clock, KeyCacheSettings cache) {
        KeyStoreDatabase db = KeyStoreDatabase.open(store, true);
        MasterKeyStore masterKeys;
        try {
            masterKeys = MasterKeyStore.open(keystore);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return open(masterKeys, db, clock, cache);
    }

    /**
     * Opens the key service over a master key store the caller opened (the service owns and closes
     * it from now on).
     */
    public static KeyService open(MasterKeyStore masterKeys, StoreSettings store, Clock clock, KeyCacheSettings cache) {
        KeyStoreDatabase db;
        try {
            db = KeyStoreDatabase.open(store, true);
        } catch (RuntimeException e) {
            masterKeys.close();
            throw e;
        }
        return open(masterKeys, db, clock, cache);
    }

    private static KeyService open(MasterKeyStore masterKeys, KeyStoreDatabase db, Clock clock, KeyCacheSettings cache) {
        KeyService service = new KeyService(masterKeys, db, clock, cache);
        try {
            service.recordMasterKeyAtStart();
            service.refresh();
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void recordMasterKeyAtStart() {
        db.inTransaction(c -> {
            lock(c, MASTER_ROTATION_LOCK);
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
            audit.append(c, AuditEvent.success(SYSTEM_ACTOR, "keystore.open", "master-key:"
                    + masterKeys.currentMasterKeyLabel(), Map.of("keystore", masterKeys.description())));
            return null;
        });
    }

    // ---------------------------------------------------------------- rings

    /**
     * Creates a ring with an active version 1 for every name that has none yet (the policy's key
     * names at start and on reload).
     *
     * @return the rings created
     */
    public List<KeyRing> ensureRings(Collection<String> policyKeyNames, String actor) {
        List<KeyRing> created = new ArrayList<>();
        for (String name : policyKeyNames) {
            if (ring(name).isPresent() || reloadByName(name) != null) {
                continue;
            }
            try {
                created.add(createRing(name, null, actor));
            } catch (RuntimeException e) {
                if (reloadByName(name) == null) {
                    throw e;
                }
                // another instance created it first
            }
        }
        return created;
    }

    /**
     * Creates a key ring with a fresh data key as its active version 1.
     *
     * @param rotationPeriod automatic rotation period, or null for manual rotation only
     * @throws KeyLifecycleException when a ring of that name exists
     */
    public synchronized KeyRing createRing(String name, Duration rotationPeriod, String actor) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new KeyLifecycleException("a key ring needs a name");
        }
        Instant now = clock.instant();
        try {
            KeyRing ring = db.inTransaction(c -> {
                if (repository.findByName(c, name, false).isPresent()) {
                    throw new KeyLifecycleException("key ring " + name + " already exists");
                }
                syncMasterKey(c);
                int id = repository.insertRing(c, name, now, rotationPeriod);
                KeyVersion first = newVersion(id, 1, KeyState.ACTIVE, now);
                KeyRing r = new KeyRing(id, name, now, rotationPeriod, 1, null, null, List.of(first));
                repository.save(c, r);
                audit.append(c, AuditEvent.success(actor, "ring.create", object(r, 1), details(
                        "ring_id", id, "version", 1, "master_key", first.masterKeyLabel())));
                return r;
            });
            publish(ring);
            return ring;
        } catch (KeyLifecycleException e) {
            denied(actor, "ring.create", "ring:" + name, e);
            throw e;
        }
    }

    /** Rotates: a new version becomes the active primary; the old primary is deactivated (decrypt only). */
    public KeyRing rotate(String ringName, String actor) {
        return change(ringName, actor, "ring.rotate", (ring, c, now) -> {
            int v = ring.latestVersion() + 1;
            KeyRing next = ring.withVersion(newVersion(ring.id(), v, KeyState.PRE_ACTIVE, now))
                    .transition(v, KeyState.ACTIVE, now);
            return new Change(next, object(next, v), details("from_version", ring.primaryVersion(), "to_version", v,
                    "master_key", next.require(v).masterKeyLabel()));
        });
    }

    /** Adds a new pre-active version (to be activated later with {@link #setState}). */
    public KeyRing addVersion(String ringName, String actor) {
        return change(ringName, actor, "version.create", (ring, c, now) -> {
            int v = ring.latestVersion() + 1;
            KeyRing next = ring.withVersion(newVersion(ring.id(), v, KeyState.PRE_ACTIVE, now));
            return new Change(next, object(next, v), details("state", KeyState.PRE_ACTIVE.displayName(),
                    "master_key", next.require(v).masterKeyLabel()));
        });
    }

    /**
     * Moves a version to another state, following {@link KeyState}'s transition table: ACTIVE makes
     * it the primary (the old primary is deactivated); DESTROYED erases its wrapped material.
     *
     * @throws KeyLifecycleException for an illegal transition or one that would break an invariant
     */
    public KeyRing setState(String ringName, int version, KeyState target, String actor) {
        String action = target == KeyState.ACTIVE ? "version.activate" : "version.state";
        return change(ringName, actor, action, (ring, c, now) -> {
            KeyState from = ring.require(version).state();
            KeyRing next = ring.transition(version, target, now);
            return new Change(next, object(next, version), details("from", from.displayName(),
                    "to", target.displayName()));
        });
    }

    /**
     * Refuses decryption under versions below {@code min} (Vault's min_decryption_version).
     *
     * @throws KeyLifecycleException when {@code min} is not in 1..primary
     */
    public KeyRing setMinDecryptionVersion(String ringName, int min, String actor) {
        return change(ringName, actor, "ring.min_decryption_version", (ring, c, now) -> new Change(
                ring.withMinDecryptionVersion(min), "ring:" + ring.name(),
                details("from", ring.minDecryptionVersion(), "to", min)));
    }

    /**
     * Schedules the deletion of a whole ring ({@code version} empty) or of one version, after a
     * waiting period of 7 to 30 days (AWS KMS style). While pending, the ring or version is refused
     * for use, so a mistake shows before it becomes permanent; {@link #cancelDeletion} undoes it.
     *
     * @param waitingPeriod null for the default of 30 days
     * @return when the deletion becomes due
     */
    public Instant scheduleDeletion(String ringName, OptionalInt version, Duration waitingPeriod, String actor) {
        Duration wait = waitingPeriod == null ? DEFAULT_DELETION_WAIT : waitingPeriod;
        if (wait.compareTo(MIN_DELETION_WAIT) < 0 || wait.compareTo(MAX_DELETION_WAIT) > 0) {
            KeyLifecycleException e = new KeyLifecycleException("key ring " + ringName + ": the deletion waiting period "
                    + "must be between 7 and 30 days, not " + wait.toDays() + " days");
            denied(actor, "deletion.schedule", "ring:" + ringName, e);
            throw e;
        }
        KeyRing saved = change(ringName, actor, "deletion.schedule", (ring, c, now) -> {
            Instant due = now.plus(wait);
            if (ring.deletedAt() != null) {
                throw new KeyLifecycleException("key ring " + ring.name() + " is already deleted");
            }
            if (version.isEmpty()) {
                return new Change(ring.withDeletionDueAt(due), "ring:" + ring.name(),
                        details("due_at", due.toString(), "waiting_days", wait.toDays()));
            }
            KeyVersion v = ring.require(version.getAsInt());
            if (v.state() == KeyState.ACTIVE) {
                throw new KeyLifecycleException("key ring " + ring.name() + " version " + v.version()
                        + " is the primary version: rotate the ring before scheduling its deletion");
            }
            if (v.state() == KeyState.DESTROYED) {
                throw new KeyLifecycleException("key ring " + ring.name() + " version " + v.version()
                        + " is already destroyed");
            }
            return new Change(ring.withVersion(v.withDeletionDueAt(due)), object(ring, v.version()),
                    details("due_at", due.toString(), "waiting_days", wait.toDays()));
        });
        return version.isEmpty() ? saved.deletionDueAt() : saved.require(version.getAsInt()).deletionDueAt();
    }

    /** Cancels a scheduled deletion of a ring or version. */
    public KeyRing cancelDeletion(String ringName, OptionalInt version, String actor) {
        return change(ringName, actor, "deletion.cancel", (ring, c, now) -> {
            if (version.isEmpty()) {
                if (ring.deletionDueAt() == null) {
                    throw new KeyLifecycleException("key ring " + ring.name() + " has no scheduled deletion");
                }
                return new Change(ring.withDeletionDueAt(null), "ring:" + ring.name(), Map.of());
            }
            KeyVersion v = ring.require(version.getAsInt());
            if (v.deletionDueAt() == null) {
                throw new KeyLifecycleException("key ring " + ring.name() + " version " + v.version()
                        + " has no scheduled deletion");
            }
            return new Change(ring.withVersion(v.withDeletionDueAt(null)), object(ring, v.version()), Map.of());
        });
    }

    /**
     * Executes every scheduled deletion due at {@code now}: destroys the versions (erasing their
     * material) and deletes whole rings (every version destroyed).
     *
     * @return what was deleted, e.g. {@code ring:patients/v1}, {@code ring:old}
     */
    public List<String> runDueDeletions(Instant now) {
        List<String> done = new ArrayList<>();
        for (KeyRing ring : listRings()) {
            boolean ringDue = ring.deletedAt() == null && ring.deletionDueAt() != null && !ring.deletionDueAt().isAfter(now);
            boolean versionDue = ring.versions().stream().anyMatch(v -> v.deletionDueAt() != null
                    && v.state() != KeyState.DESTROYED && !v.deletionDueAt().isAfter(now));
            if (!ringDue && !versionDue) {
                continue;
            }
            change(ring.name(), SYSTEM_ACTOR, "deletion.execute", (current, c, at) -> {
                if (current.deletedAt() == null && current.deletionDueAt() != null && !current.deletionDueAt().isAfter(now)) {
                    KeyRing next = current.deleted(at);
                    done.add("ring:" + current.name());
                    return new Change(next, "ring:" + current.name(), details("versions", current.latestVersion()));
                }
                KeyRing next = current;
                List<Object> versions = new ArrayList<>();
                for (KeyVersion v : current.versions()) {
                    if (v.deletionDueAt() != null && v.state() != KeyState.DESTROYED && !v.deletionDueAt().isAfter(now)) {
                        next = next.transition(v.version(), KeyState.DESTROYED, at);
                        versions.add(v.version());
                        done.add(object(current, v.version()));
                    }
                }
                return new Change(next, "ring:" + current.name(), details("destroyed_versions", versions.toString()));
            });
        }
        return done;
    }

    // ---------------------------------------------------------------- master keys

    /**
     * Rotates the master key: creates a new one in the master key store and re-wraps every
     * non-destroyed data-key version under it in one transaction (data is not touched). The old
     * master key is kept (retired) until {@link #deleteUnreferencedMasterKeys}.
     *
     * @return the new master key's label
     */
    public synchronized String rotateMasterKey(String actor) {
        String old = masterKeys.currentMasterKeyLabel();
        String fresh;
        try {
            fresh = masterKeys.createNewMasterKey();
        } catch (MasterKeyStoreException e) {
            failed(actor, "master_key.rotate", "master-key:" + old, e);
            throw e;
        }
        try {
            db.inTransaction(c -> {
                lock(c, MASTER_ROTATION_LOCK);
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
                        byte[] aad = dataKeyAssociatedData(ring.id(), v.version());
                        try (SecretBytes dek = masterKeys.unwrap(v.wrapped(), aad)) {
                            next = next.withVersion(v.withWrapped(masterKeys.wrap(dek, aad)));
                        }
                        rewrapped++;
                    }
                    repository.save(c, next);
                }
                audit.append(c, AuditEvent.success(actor, "master_key.rotate", "master-key:" + fresh,
                        details("from", old, "to", fresh, "rewrapped_versions", rewrapped)));
                return null;
            });
        } catch (RuntimeException e) {
            masterKeys.useMasterKey(old);
            failed(actor, "master_key.rotate", "master-key:" + fresh, e);
            throw e;
        }
        refresh();
        LOG.info("master key rotated from '{}' to '{}'", old, fresh);
        return fresh;
    }

    /**
     * Deletes, from the master key store, retired master keys that no data-key version references.
     *
     * @return the labels deleted
     */
    public synchronized List<String> deleteUnreferencedMasterKeys(String actor) {
        return db.inTransaction(c -> {
            lock(c, MASTER_ROTATION_LOCK);
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

    /** The current master key's label. */
    public String currentMasterKeyLabel() {
        return masterKeys.currentMasterKeyLabel();
    }

    /** Master key labels and how many data-key versions each one wraps. */
    public Map<String, Long> masterKeyReferences() {
        return db.inTransaction(repository::masterKeyReferences);
    }

    // ---------------------------------------------------------------- audit

    /** Records a configuration change (policy reload, keystore settings…) in the audit log. */
    public void recordConfigChange(String actor, String object, Map<String, Object> details) {
        db.inTransaction(c -> audit.append(c, AuditEvent.success(actor, "config.change", object, details)));
    }

    /** Checks the audit log's hash chain. */
    public AuditChainReport verifyAuditLog() {
        return db.inTransaction(AuditLog::verify);
    }

    // ---------------------------------------------------------------- KeyResolver

    @Override
    public DataKey encryptionKey(String ringName) {
        KeyRing ring = ringsByName.get(ringName);
        if (ring == null && recentDenials.getIfPresent("name:" + ringName) == null) {
            ring = reloadByName(ringName);
        }
        if (ring == null) {
            throw deny("ring:" + ringName, "name:" + ringName, "no key ring named " + ringName);
        }
        String refusal = ringRefusal(ring);
        if (refusal != null) {
            throw deny("ring:" + ringName, ring.id() + ":enc", refusal);
        }
        KeyVersion primary = ring.primary().orElseThrow(() ->
                new KeyUnavailableException("key ring " + ringName + " has no active version"));
        return cached(ring, primary);
    }

    @Override
    public DataKey decryptionKey(int ringId, int version) {
        KeyRing ring = ringsById.get(ringId);
        String denialKey = ringId + ":" + version;
        if ((ring == null || version > ring.latestVersion()) && recentDenials.getIfPresent(denialKey) == null) {
            ring = reloadById(ringId); // another instance may have created or rotated it
        }
        if (ring == null) {
            throw deny("ring-id:" + ringId, denialKey, "unknown key ring id " + ringId);
        }
        String refusal = decryptionRefusal(ring, version);
        if (refusal != null) {
            throw deny(object(ring, version), denialKey, refusal);
        }
        return cached(ring, ring.require(version));
    }

    /**
     * The primary key first, then every other version that may still decrypt (deactivated or
     * compromised, at or above the minimum decryption version, not pending deletion), newest first.
     */
    @Override
    public List<DataKey> liveKeys(String ringName) {
        DataKey primary = encryptionKey(ringName);
        KeyRing ring = ringsById.get(primary.ringId());
        List<DataKey> keys = new ArrayList<>();
        keys.add(primary);
        for (int v = ring.latestVersion(); v >= 1; v--) {
            if (v != primary.version() && ring.require(v).state().decrypts() && decryptionRefusal(ring, v) == null) {
                keys.add(cached(ring, ring.require(v)));
            }
        }
        return keys;
    }

    private static String ringRefusal(KeyRing ring) {
        if (ring.deletedAt() != null) {
            return "key ring " + ring.name() + " was deleted at " + ring.deletedAt();
        }
        if (ring.deletionDueAt() != null) {
            return "key ring " + ring.name() + " is scheduled for deletion at " + ring.deletionDueAt()
                    + "; cancel the deletion to use it";
        }
        return null;
    }

    /** Why {@code version} may not decrypt, or null when it may: checked before any crypto. */
    private static String decryptionRefusal(KeyRing ring, int version) {
        String r = ringRefusal(ring);
        if (r != null) {
            return r;
        }
        if (version < 1 || version > ring.latestVersion()) {
            return "key ring " + ring.name() + " has no version " + version + " (latest is " + ring.latestVersion() + ")";
        }
        if (version < ring.minDecryptionVersion()) {
            return "key ring " + ring.name() + " version " + version + " is below the minimum decryption version "
                    + ring.minDecryptionVersion();
        }
        KeyVersion v = ring.require(version);
        if (v.state() == KeyState.DESTROYED) {
            return "key ring " + ring.name() + " version " + version + " was destroyed at " + v.destroyedAt();
        }
        if (v.state() == KeyState.PRE_ACTIVE) {
            return "key ring " + ring.name() + " version " + version + " is pre-active (not yet in use)";
        }
        if (v.deletionDueAt() != null) {
            return "key ring " + ring.name() + " version " + version + " is scheduled for deletion at "
                    + v.deletionDueAt() + "; cancel the deletion to use it";
        }
        return null;
    }

    private DataKey cached(KeyRing ring, KeyVersion v) {
        boolean[] loaded = {false};
        DataKey key = cache.get(cacheKey(ring.id(), v.version()), k -> {
            loaded[0] = true;
            return unwrap(ring, v);
        });
        if (!loaded[0]) {
            hits.increment();
        }
        return key;
    }

    private DataKey unwrap(KeyRing ring, KeyVersion v) {
        misses.increment();
        SecretBytes material;
        try {
            material = masterKeys.unwrap(v.wrapped(), dataKeyAssociatedData(ring.id(), v.version()));
        } catch (RuntimeException e) {
            failedUnwraps.increment();
            failed(SYSTEM_ACTOR, "key.unwrap", object(ring, v.version()), e);
            throw new KeyUnavailableException("key ring " + ring.name() + " version " + v.version()
                    + " cannot be unwrapped: " + e.getMessage(), e);
        }
        try {
            db.inTransaction(c -> audit.append(c, AuditEvent.success(SYSTEM_ACTOR, "key.unwrap", object(ring, v.version()),
                    details("master_key", v.masterKeyLabel()))));
        } catch (RuntimeException e) {
            material.destroy();
            failedUnwraps.increment();
            throw new KeyUnavailableException("key ring " + ring.name() + " version " + v.version()
                    + " is not released: the audit log cannot be written (" + e.getMessage() + ")", e);
        }
        return new DataKey(ring.id(), v.version(), material);
    }

    private KeyUnavailableException deny(String object, String denialKey, String reason) {
        if (recentDenials.asMap().putIfAbsent(denialKey + "|" + reason, Boolean.TRUE) == null) {
            try {
                db.inTransaction(c -> audit.append(c, new AuditEvent(SYSTEM_ACTOR, "key.request", object,
                        AuditEvent.Outcome.DENIED, details("reason", reason))));
            } catch (RuntimeException e) {
                LOG.warn("cannot audit a denied key request for {}: {}", object, e.getMessage());
            }
        }
        recentDenials.put(denialKey, Boolean.TRUE);
        return new KeyUnavailableException(reason);
    }

    // ---------------------------------------------------------------- views

    /** Every ring with its versions and states, fresh from the store (no key bytes). */
    public List<KeyRing> listRings() {
        return db.inTransaction(repository::findAll);
    }

    /** The ring as this instance currently uses it. */
    public Optional<KeyRing> ring(String name) {
        return Optional.ofNullable(ringsByName.get(name));
    }

    /** Reloads every ring from the store (after another instance changed them). */
    public synchronized void refresh() {
        for (KeyRing r : listRings()) {
            publish(r);
        }
    }

    /** Cache counters. */
    public KeyCacheStats cacheStats() {
        return new KeyCacheStats(hits.sum(), misses.sum(), failedUnwraps.sum(), cache.estimatedSize());
    }

    /** Probes the master key store and the database. */
    public KeyServiceHealth health() {
        HealthStatus store;
        try {
            db.inTransaction(c -> {
                c.createStatement().execute("select 1 from pgseal.key_rings limit 1");
                return null;
            });
            store = HealthStatus.up("key store " + db.url());
        } catch (RuntimeException e) {
            store = HealthStatus.down(e.getMessage());
        }
        return new KeyServiceHealth(masterKeys.health(), store, cacheStats());
    }

    /** Drops every unwrapped key from memory (each is erased after the grace period). */
    public void invalidateCache() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    /**
     * Evicted keys are erased after a grace period: a thread that took the key just before the
     * eviction may still be encrypting with it, and must never see half-zeroed bytes.
     */
    private void eraseLater(SecretBytes material) {
        if (eraseGrace.isZero()) {
            material.destroy();
            return;
        }
        awaitingErasure.add(material);
        try {
            eraser.schedule(() -> {
                material.destroy();
                awaitingErasure.remove(material);
            }, eraseGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            material.destroy();
            awaitingErasure.remove(material);
        }
    }

    /** Erases every cached key, including those still in their grace period, and releases the stores. */
    @Override
    public void close() {
        invalidateCache();
        eraser.shutdownNow();
        awaitingErasure.forEach(SecretBytes::destroy);
        awaitingErasure.clear();
        try {
            masterKeys.close();
        } finally {
            db.close();
        }
    }

    // ---------------------------------------------------------------- internals

    /** The associated data that binds a wrapped data key to its ring and version. */
    static byte[] dataKeyAssociatedData(int ringId, int version) {
        return ByteBuffer.allocate(DEK_AAD_TAG.length + 8).put(DEK_AAD_TAG).putInt(ringId).putInt(version).array();
    }

    private static long cacheKey(int ringId, int version) {
        return ((long) ringId << 32) | (version & 0xffffffffL);
    }

    private KeyVersion newVersion(int ringId, int version, KeyState state, Instant now) {
        try (SecretBytes dek = SecretBytes.random(DATA_KEY_BYTES, random)) {
            WrappedKey wrapped = masterKeys.wrap(dek, dataKeyAssociatedData(ringId, version));
            return new KeyVersion(version, state, wrapped, now, state == KeyState.ACTIVE ? now : null,
                    null, null, null, null);
        }
    }

    private void syncMasterKey(Connection c) throws SQLException {
        Optional<String> recorded = repository.currentMasterKey(c);
        if (recorded.isPresent() && !recorded.get().equals(masterKeys.currentMasterKeyLabel())) {
            masterKeys.useMasterKey(recorded.get());
        }
    }

    private record Change(KeyRing ring, String object, Map<String, Object> details) {
    }

    @FunctionalInterface
    private interface RingChange {
        Change apply(KeyRing current, Connection c, Instant now) throws SQLException;
    }

    // Synchronized (with reloads and createRing) so memory is published in commit order.
    private synchronized KeyRing change(String ringName, String actor, String action, RingChange work) {
        Instant now = clock.instant();
        try {
            KeyRing saved = db.inTransaction(c -> {
                KeyRing current = repository.findByName(c, ringName, true).orElseThrow(() ->
                        new KeyLifecycleException("no key ring named " + ringName));
                syncMasterKey(c);
                Change change = work.apply(current, c, now);
                repository.save(c, change.ring());
                audit.append(c, AuditEvent.success(actor, action, change.object(), change.details()));
                return change.ring();
            });
            publish(saved);
            return saved;
        } catch (KeyLifecycleException e) {
            denied(actor, action, "ring:" + ringName, e);
            throw e;
        }
    }

    private void publish(KeyRing ring) {
        KeyRing old = ringsById.put(ring.id(), ring);
        ringsByName.put(ring.name(), ring);
        if (old == null) {
            return;
        }
        for (KeyVersion v : ring.versions()) {
            Optional<KeyVersion> before = old.version(v.version());
            boolean materialChanged = before.isPresent() && !Objects.equals(before.get().wrapped(), v.wrapped());
            if (materialChanged || decryptionRefusal(ring, v.version()) != null) {
                cache.invalidate(cacheKey(ring.id(), v.version()));
            }
        }
    }

    private synchronized KeyRing reloadByName(String name) {
        Optional<KeyRing> r = db.inTransaction(c -> repository.findByName(c, name, false));
        r.ifPresent(this::publish);
        return r.orElse(null);
    }

    private synchronized KeyRing reloadById(int id) {
        Optional<KeyRing> r = db.inTransaction(c -> repository.findById(c, id, false));
        r.ifPresent(this::publish);
        return r.orElse(null);
    }

    private static void lock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            ps.setLong(1, key);
            ps.execute();
        }
    }

    private void denied(String actor, String action, String object, RuntimeException e) {
        auditOutcome(actor, action, object, AuditEvent.Outcome.DENIED, e);
    }

    private void failed(String actor, String action, String object, RuntimeException e) {
        auditOutcome(actor, action, object, AuditEvent.Outcome.FAILURE, e);
    }

    private void auditOutcome(String actor, String action, String object, AuditEvent.Outcome outcome, RuntimeException e) {
        try {
            db.inTransaction(c -> audit.append(c, new AuditEvent(actor, action, object, outcome,
                    details("reason", String.valueOf(e.getMessage())))));
        } catch (RuntimeException auditFailure) {
            e.addSuppressed(auditFailure);
        }
    }

    private static String object(KeyRing ring, int version) {
        return "ring:" + ring.name() + "/v" + version;
    }

    private static Map<String, Object> details(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }
}
