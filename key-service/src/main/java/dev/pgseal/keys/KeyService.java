package dev.pgseal.keys;

import dev.pgseal.keys.access.AccessTokens;
import dev.pgseal.keys.access.TotpEnrollments;
import dev.pgseal.keys.audit.AuditChainReport;
import dev.pgseal.keys.audit.AuditCheckpoint;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditListener;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.keys.audit.AuditSettings;
import dev.pgseal.keys.kms.KeyGrants;
import dev.pgseal.keys.kms.KeyType;
import dev.pgseal.keys.store.KeyRingRepository;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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
 *
 * <p>This class is the public face; the jobs live in package-private collaborators: the lifecycle
 * of rings and versions ({@code RingLifecycle}), master-key rotation ({@code MasterKeyRotation}),
 * the data-key cache ({@code DataKeyCache}), the audit trail ({@code KeyAudit}) and the encryption
 * counts ({@code EncryptionCounter}). Key requests ({@link KeyResolver}) are answered here, from
 * the lifecycle's rings and the cache.
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
    /** How often the in-memory encryption counts are added to {@code pgseal.key_versions}. */
    public static final Duration ENCRYPTION_COUNT_FLUSH_INTERVAL = Duration.ofSeconds(30);

    private final KeyStoreDatabase db;
    private final MasterKeyStore masterKeys;
    private final KeyAudit audit;
    private final DataKeyCache cache;
    private final MasterKeyRotation masterKeyRotation;
    private final RingLifecycle rings;
    private final EncryptionCounter encryptions;

    private KeyService(MasterKeyStore masterKeys, KeyStoreDatabase db, Clock clock, KeyCacheSettings cacheSettings,
            AuditSettings auditSettings) {
        KeyRingRepository repository = new KeyRingRepository();
        this.db = db;
        this.masterKeys = masterKeys;
        this.audit = new KeyAudit(db, clock, masterKeys, auditSettings);
        this.cache = new DataKeyCache(masterKeys, audit, cacheSettings);
        this.masterKeyRotation = new MasterKeyRotation(masterKeys, db, clock, repository, audit);
        this.rings = new RingLifecycle(masterKeys, masterKeyRotation, db, clock, repository, audit, cache);
        this.encryptions = new EncryptionCounter(db, repository, ENCRYPTION_COUNT_FLUSH_INTERVAL);
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
        return open(keystore, store, AuditSettings.DEFAULT, clock, cache);
    }

    /**
     * As {@link #open(KeystoreSettings, StoreSettings, Clock)} with the config's {@code audit}
     * section (checkpoint file and interval, audit key label) and explicit cache bounds.
     */
    public static KeyService open(KeystoreSettings keystore, StoreSettings store, AuditSettings audit, Clock clock,
            KeyCacheSettings cache) {
        KeyStoreDatabase db = KeyStoreDatabase.open(store, true);
        MasterKeyStore masterKeys;
        try {
            masterKeys = MasterKeyStore.open(keystore);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return open(masterKeys, db, clock, cache, audit);
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
        return open(masterKeys, db, clock, cache, AuditSettings.DEFAULT);
    }

    private static KeyService open(MasterKeyStore masterKeys, KeyStoreDatabase db, Clock clock, KeyCacheSettings cache,
            AuditSettings auditSettings) {
        KeyService service = new KeyService(masterKeys, db, clock, cache, auditSettings);
        try {
            service.audit.start(); // the audit key, before the first event
            service.masterKeyRotation.recordAtStart();
            service.rings.refresh();
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- rings

    /**
     * Creates a ring with an active version 1 for every name that has none yet (the policy's key
     * names at start and on reload).
     *
     * @return the rings created
     */
    public List<KeyRing> ensureRings(Collection<String> policyKeyNames, String actor) {
        return rings.ensureRings(policyKeyNames, actor);
    }

    /**
     * Creates a key ring with a fresh data key as its active version 1.
     *
     * @param rotationPeriod automatic rotation period, or null for manual rotation only
     * @throws KeyLifecycleException when a ring of that name exists
     */
    public KeyRing createRing(String name, Duration rotationPeriod, String actor) {
        return rings.createRing(name, rotationPeriod, actor);
    }

    /**
     * Creates a key ring of {@code type} (its versions are data keys or key pairs, for life) with a
     * fresh active version 1. Only AES-256-GCM rings can be policy keys.
     *
     * @throws KeyLifecycleException when a ring of that name exists
     */
    public KeyRing createRing(String name, Duration rotationPeriod, KeyType type, String actor) {
        return rings.createRing(name, rotationPeriod, type, actor);
    }

    /** Rotates: a new version becomes the active primary; the old primary is deactivated (decrypt only). */
    public KeyRing rotate(String ringName, String actor) {
        return rings.rotate(ringName, actor);
    }

    /** Adds a new pre-active version (to be activated later with {@link #setState}). */
    public KeyRing addVersion(String ringName, String actor) {
        return rings.addVersion(ringName, actor);
    }

    /**
     * Moves a version to another state, following {@link KeyState}'s transition table: ACTIVE makes
     * it the primary (the old primary is deactivated); DESTROYED erases its wrapped material.
     *
     * @throws KeyLifecycleException for an illegal transition or one that would break an invariant
     */
    public KeyRing setState(String ringName, int version, KeyState target, String actor) {
        return rings.setState(ringName, version, target, actor);
    }

    /**
     * Refuses decryption under versions below {@code min} (Vault's min_decryption_version).
     *
     * @throws KeyLifecycleException when {@code min} is not in 1..primary
     */
    public KeyRing setMinDecryptionVersion(String ringName, int min, String actor) {
        return rings.setMinDecryptionVersion(ringName, min, actor);
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
        return rings.scheduleDeletion(ringName, version, waitingPeriod, actor);
    }

    /** Cancels a scheduled deletion of a ring or version. */
    public KeyRing cancelDeletion(String ringName, OptionalInt version, String actor) {
        return rings.cancelDeletion(ringName, version, actor);
    }

    /**
     * Executes every scheduled deletion due at {@code now}: destroys the versions (erasing their
     * material) and deletes whole rings (every version destroyed).
     *
     * @return what was deleted, e.g. {@code ring:patients/v1}, {@code ring:old}
     */
    public List<String> runDueDeletions(Instant now) {
        return rings.runDueDeletions(now);
    }

    /**
     * Executes now, under {@code actor}'s name, the scheduled deletions of one ring that are due (as
     * {@link #runDueDeletions} does for every ring in the background).
     *
     * @return what was deleted, e.g. {@code ring:patients/v1}
     * @throws KeyLifecycleException when no deletion of that ring is due
     */
    public List<String> runDueDeletions(String ringName, String actor) {
        return rings.runDueDeletions(ringName, actor);
    }

    // ---------------------------------------------------------------- master keys

    /**
     * Rotates the master key: creates a new one in the master key store and re-wraps every
     * non-destroyed data-key version under it in one transaction (data is not touched). The old
     * master key is kept (retired) until {@link #deleteUnreferencedMasterKeys}.
     *
     * @return the new master key's label
     */
    public String rotateMasterKey(String actor) {
        // Serialised with ring changes: the re-wrap and the reload must not interleave with them.
        synchronized (rings) {
            String fresh = masterKeyRotation.rotate(actor);
            rings.refresh();
            return fresh;
        }
    }

    /**
     * Deletes, from the master key store, retired master keys that no data-key version references.
     *
     * @return the labels deleted
     */
    public List<String> deleteUnreferencedMasterKeys(String actor) {
        synchronized (rings) {
            return masterKeyRotation.deleteUnreferenced(actor);
        }
    }

    /** The current master key's label. */
    public String currentMasterKeyLabel() {
        return masterKeyRotation.currentLabel();
    }

    /** Master key labels and how many data-key versions each one wraps. */
    public Map<String, Long> masterKeyReferences() {
        return masterKeyRotation.references();
    }

    // ---------------------------------------------------------------- audit

    /** Records a configuration change (policy reload, keystore settings…) in the audit log. */
    public void recordConfigChange(String actor, String object, Map<String, Object> details) {
        audit.appendNow(AuditEvent.success(actor, "config.change", object, details));
    }

    /**
     * Checks the audit chain with the audit key, that it extends the newest checkpoint of the
     * configured checkpoint file, and that it extends the head this instance last verified.
     */
    public AuditChainReport verifyAuditLog() {
        return audit.verify();
    }

    /**
     * Verifies the events appended since the last checkpoint and appends a new signed checkpoint to
     * the configured file (this also runs every {@code audit.checkpoint_interval} and on close).
     *
     * @return the checkpoint, or empty when the chain no longer extends what this instance saw (an
     *     alert was logged)
     */
    public Optional<AuditCheckpoint> checkpointAuditLog() {
        return audit.checkpoint();
    }

    /**
     * Appends an event of another part of pgseal (the admin API's requests and their outcomes) to
     * the keyed audit log, in a transaction of its own.
     */
    public void recordEvent(AuditEvent event) {
        audit.appendNow(event);
    }

    /**
     * Tells {@code listener} of every audit event this instance appends from now on, once its
     * transaction has committed (the alert rules read the audit stream this way).
     */
    public void addAuditListener(AuditListener listener) {
        audit.addListener(listener);
    }

    /**
     * Tells {@code alarm} of each finding that the stored audit chain no longer extends what this
     * instance saw (newest events deleted, the chain rewritten), and at once of the last one if
     * there is one already. Called on the thread that noticed: hand the work elsewhere.
     */
    public void onAuditTampering(java.util.function.Consumer<String> alarm) {
        audit.onTampering(alarm);
    }

    /**
     * Reports the key store's connection pool (HikariCP) to a Micrometer {@code MeterRegistry};
     * {@code Object} so the key service does not depend on Micrometer. Once per service.
     */
    public void reportStorePoolTo(Object meterRegistry) {
        db.reportPoolMetricsTo(meterRegistry);
    }

    /** Reads stored audit events (see {@link AuditQuery}); the links are checked by {@link #verifyAuditLog()}. */
    public List<AuditQuery.Entry> auditEvents(AuditQuery query) {
        return db.inTransaction(query::run);
    }

    // ---------------------------------------------------------------- access (admin API)

    /** The admin API's principals and bearer tokens, in this store, audited in this audit log. */
    public AccessTokens accessTokens() {
        return new AccessTokens(db, audit::append);
    }

    /**
     * The TOTP second factor of those principals: secrets wrapped under the master key in this
     * store, changes and locks audited in this audit log.
     */
    public TotpEnrollments totpEnrollments() {
        return new TotpEnrollments(db, audit::append, masterKeys);
    }

    // ---------------------------------------------------------------- data plane (keys.kms)

    /**
     * The ring named, of any type, for the data plane ({@link dev.pgseal.keys.kms.DataPlane}): from
     * memory, reloaded once from the store when unknown here.
     *
     * @throws KeyUnavailableException (audited) when there is no such ring
     */
    public KeyRing dataPlaneRing(String ringName) {
        KeyRing ring = rings.byName(ringName);
        if (ring == null && !audit.recentlyDenied("name:" + ringName)) {
            ring = rings.reloadByName(ringName);
        }
        if (ring == null) {
            throw audit.deny("ring:" + ringName, "name:" + ringName, "no key ring named " + ringName);
        }
        return ring;
    }

    /**
     * The unwrapped primary version of a ring of any type (data key or key pair), refused and audited
     * exactly as {@link #encryptionKey} refuses: ring deleted or scheduled for deletion.
     */
    public DataKey dataPlanePrimaryKey(String ringName) {
        return primaryKey(dataPlaneRing(ringName));
    }

    /**
     * The unwrapped version {@code version} of a ring of any type, refused and audited exactly as
     * {@link #decryptionKey} refuses (below the minimum decryption version, destroyed, pre-active,
     * scheduled for deletion, unknown).
     */
    public DataKey dataPlaneVersionKey(String ringName, int version) {
        return versionKey(dataPlaneRing(ringName).id(), version, false);
    }

    /** Which app principals may call which data-plane operations on which rings, audited in this audit log. */
    public KeyGrants keyGrants() {
        return new KeyGrants(db, audit::append);
    }

    // ---------------------------------------------------------------- KeyResolver

    /** Refuses (audited) a ring that is not AES-256-GCM for column encryption. */
    private KeyRing columnRing(KeyRing ring) {
        if (!ring.type().servesColumns()) {
            throw audit.deny("ring:" + ring.name(), ring.id() + ":type", "key ring " + ring.name() + " is a "
                    + ring.type().displayName() + " ring: column encryption needs an "
                    + KeyType.AES_256_GCM.displayName() + " ring");
        }
        return ring;
    }

    @Override
    public DataKey encryptionKey(String ringName) {
        return primaryKey(columnRing(dataPlaneRing(ringName)));
    }

    private DataKey primaryKey(KeyRing ring) {
        String ringName = ring.name();
        String refusal = RingLifecycle.ringRefusal(ring);
        if (refusal != null) {
            throw audit.deny("ring:" + ringName, ring.id() + ":enc", refusal);
        }
        KeyVersion primary = ring.primary().orElseThrow(() ->
                new KeyUnavailableException("key ring " + ringName + " has no active version"));
        return cache.get(ring, primary);
    }

    @Override
    public DataKey decryptionKey(int ringId, int version) {
        return versionKey(ringId, version, true);
    }

    private DataKey versionKey(int ringId, int version, boolean forColumns) {
        KeyRing ring = rings.byId(ringId);
        String denialKey = ringId + ":" + version;
        if ((ring == null || version > ring.latestVersion()) && !audit.recentlyDenied(denialKey)) {
            ring = rings.reloadById(ringId); // another instance may have created or rotated it
        }
        if (ring == null) {
            throw audit.deny("ring-id:" + ringId, denialKey, "unknown key ring id " + ringId);
        }
        if (forColumns) {
            columnRing(ring);
        }
        String refusal = RingLifecycle.decryptionRefusal(ring, version);
        if (refusal != null) {
            throw audit.deny(KeyAudit.object(ring, version), denialKey, refusal);
        }
        return cache.get(ring, ring.require(version));
    }

    /**
     * The primary key first, then every other version that may still decrypt (deactivated or
     * compromised, at or above the minimum decryption version, not pending deletion), newest first.
     */
    @Override
    public List<DataKey> liveKeys(String ringName) {
        DataKey primary = encryptionKey(ringName);
        KeyRing ring = rings.byId(primary.ringId());
        List<DataKey> keys = new ArrayList<>();
        keys.add(primary);
        for (int v = ring.latestVersion(); v >= 1; v--) {
            if (v != primary.version() && ring.require(v).state().decrypts()
                    && RingLifecycle.decryptionRefusal(ring, v) == null) {
                keys.add(cache.get(ring, ring.require(v)));
            }
        }
        return keys;
    }

    /** The ring's id from memory (reloaded once if unknown): no key is unwrapped. */
    @Override
    public int ringId(String ringName) {
        return columnRing(dataPlaneRing(ringName)).id();
    }

    /** Counts in memory (one {@code LongAdder} per version); see {@link #flushEncryptionCounts()}. */
    @Override
    public void recordEncryption(DataKey key) {
        encryptions.record(key);
    }

    /**
     * Adds the encryptions counted in memory since the last flush to
     * {@code pgseal.key_versions.encryptions}, in one transaction (an increment, so the counts of
     * several instances add up). Runs every {@link #ENCRYPTION_COUNT_FLUSH_INTERVAL} and on close;
     * after a failure the counts stay in memory for the next attempt.
     *
     * @return the number of encryptions added
     * @throws dev.pgseal.keys.store.StoreException when the store cannot be written
     */
    public long flushEncryptionCounts() {
        return encryptions.flush();
    }

    // ---------------------------------------------------------------- views

    /** Every ring with its versions and states, fresh from the store (no key bytes). */
    public List<KeyRing> listRings() {
        return rings.listRings();
    }

    /** The ring as this instance currently uses it. */
    public Optional<KeyRing> ring(String name) {
        return Optional.ofNullable(rings.byName(name));
    }

    // ---------------------------------------------------------------- readiness (event loops never wait)

    /**
     * Unwraps every live version of {@code ringNames} (the primary and every version that may still
     * decrypt) into the cache, so sessions find them there. Blocking (master key store, key store
     * database): call it off the event loop, at start and after a policy reload. A ring unknown to
     * this instance is looked up in the store once. Every ring is tried even when one fails.
     *
     * @return how many key versions are now in memory for those rings
     * @throws KeyUnavailableException for the first ring that could not be warmed (the others'
     *     failures attached as suppressed), after trying them all
     */
    public int warm(Collection<String> ringNames) {
        int ready = 0;
        KeyUnavailableException failure = null;
        for (String name : ringNames) {
            try {
                ready += liveKeys(name).size();
            } catch (KeyUnavailableException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return ready;
    }

    /** {@link #warm} on {@code executor} (never pass an event loop). */
    public CompletableFuture<Integer> warmAsync(Collection<String> ringNames, Executor executor) {
        List<String> copy = List.copyOf(ringNames);
        return CompletableFuture.supplyAsync(() -> warm(copy), executor);
    }

    /**
     * Loads the key that decrypts values written under {@code (ringId, version)} on
     * {@code executor}, as {@link #decryptionKey} would (the same refusals, audited).
     */
    public CompletableFuture<Void> loadForDecryptionAsync(int ringId, int version, Executor executor) {
        return CompletableFuture.runAsync(() -> decryptionKey(ringId, version), executor);
    }

    /**
     * Whether {@link #encryptionKey(String) encrypting} for {@code ringName} can be answered from
     * memory right now: the ring is known, usable, and its primary key is cached. Non-blocking
     * (no store, no HSM, no audit write); {@code false} means: load off the event loop first
     * ({@link #warmAsync}), which also reports a refusal.
     */
    public boolean readyToEncrypt(String ringName) {
        KeyRing ring = rings.byName(ringName);
        if (ring == null || RingLifecycle.ringRefusal(ring) != null) {
            return false;
        }
        return ring.primary().map(v -> cache.isCached(ring.id(), v.version())).orElse(false);
    }

    /**
     * Whether {@link #liveKeys(String) every live version} of {@code ringName} is cached, as an
     * equality search on a deterministic column needs. Non-blocking, like {@link #readyToEncrypt}.
     */
    public boolean readyToMatch(String ringName) {
        if (!readyToEncrypt(ringName)) {
            return false;
        }
        KeyRing ring = rings.byName(ringName);
        for (int v = ring.latestVersion(); v >= 1; v--) {
            if (ring.require(v).state().decrypts() && RingLifecycle.decryptionRefusal(ring, v) == null
                    && !cache.isCached(ring.id(), v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether decrypting a value written under {@code (ringId, version)} can be answered from memory
     * right now: the ring is known, the version may decrypt, and its key is cached. Non-blocking;
     * {@code false} means: {@link #loadForDecryptionAsync} first (which also reports a refusal).
     */
    public boolean readyToDecrypt(int ringId, int version) {
        KeyRing ring = rings.byId(ringId);
        return ring != null && RingLifecycle.decryptionRefusal(ring, version) == null && cache.isCached(ringId, version);
    }

    /** Reloads every ring from the store (after another instance changed them). */
    public void refresh() {
        rings.refresh();
    }

    /** Cache counters. */
    public KeyCacheStats cacheStats() {
        return cache.stats();
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
    }

    /**
     * Records the remaining encryption counts, erases every cached key (including those still in
     * their grace period), and releases the stores.
     */
    @Override
    public void close() {
        try {
            encryptions.close(); // adds what is still in memory while the store is open
        } finally {
            cache.close();
            try {
                audit.close(); // the last checkpoint needs the HSM and the store
                masterKeys.close();
            } finally {
                db.close();
            }
        }
    }

}
