package dev.pgseal.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.pgseal.keys.audit.AuditEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Unwrapped data keys in memory: a bounded, expiring Caffeine cache in front of the master key
 * store, which is called only on a miss (and each miss is audited). Evicted keys are erased after a
 * grace period. Callers check a version's state before they ask: this class only unwraps.
 */
final class DataKeyCache implements AutoCloseable {

    private static final byte[] DEK_AAD_TAG = "pgseal/dek/v1".getBytes(StandardCharsets.US_ASCII);

    private final MasterKeyStore masterKeys;
    private final KeyAudit audit;
    private final Cache<Long, DataKey> cache;
    private final Duration eraseGrace;
    private final ScheduledExecutorService eraser;
    private final Set<SecretBytes> awaitingErasure = ConcurrentHashMap.newKeySet();

    DataKeyCache(MasterKeyStore masterKeys, KeyAudit audit, KeyCacheSettings settings) {
        this.masterKeys = masterKeys;
        this.audit = audit;
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maximumSize())
                .expireAfterWrite(settings.expireAfterWrite())
                .executor(Runnable::run)
                .recordStats() // hits, misses (HSM unwraps) and failed unwraps, counted by Caffeine
                .removalListener((Long id, DataKey key, RemovalCause cause) -> {
                    if (key != null) {
                        eraseLater(key.material());
                    }
                })
                .build();
        this.eraseGrace = settings.eraseGrace();
        this.eraser = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgseal-key-eraser");
            t.setDaemon(true);
            return t;
        });
    }

    /** The associated data that binds a wrapped data key to its ring and version. */
    static byte[] dataKeyAssociatedData(int ringId, int version) {
        return ByteBuffer.allocate(DEK_AAD_TAG.length + 8).put(DEK_AAD_TAG).putInt(ringId).putInt(version).array();
    }

    static long cacheKey(int ringId, int version) {
        return ((long) ringId << 32) | (version & 0xffffffffL);
    }

    /** The unwrapped key of a version whose use the caller already allowed. */
    DataKey get(KeyRing ring, KeyVersion v) {
        return cache.get(cacheKey(ring.id(), v.version()), k -> unwrap(ring, v));
    }

    private DataKey unwrap(KeyRing ring, KeyVersion v) {
        String object = KeyAudit.object(ring, v.version());
        SecretBytes material;
        try {
            material = masterKeys.unwrap(v.wrapped(), dataKeyAssociatedData(ring.id(), v.version()));
        } catch (RuntimeException e) {
            audit.failed(KeyService.SYSTEM_ACTOR, "key.unwrap", object, e);
            throw new KeyUnavailableException("key ring " + ring.name() + " version " + v.version()
                    + " cannot be unwrapped: " + e.getMessage(), e);
        }
        try {
            audit.appendNow(AuditEvent.success(KeyService.SYSTEM_ACTOR, "key.unwrap", object,
                    KeyAudit.details("master_key", v.masterKeyLabel())));
        } catch (RuntimeException e) {
            material.destroy();
            throw new KeyUnavailableException("key ring " + ring.name() + " version " + v.version()
                    + " is not released: the audit log cannot be written (" + e.getMessage() + ")", e);
        }
        return new DataKey(ring.id(), v.version(), material);
    }

    /**
     * Whether the key of {@code (ringId, version)} is in memory now: a later {@link #get} will not
     * call the master key store unless it expires or is evicted in between. Never loads.
     */
    boolean isCached(int ringId, int version) {
        // Quietly: a readiness check is neither a hit nor a miss.
        return cache.policy().getIfPresentQuietly(cacheKey(ringId, version)) != null;
    }

    void invalidate(int ringId, int version) {
        cache.invalidate(cacheKey(ringId, version));
    }

    void invalidateAll() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    KeyCacheStats stats() {
        CacheStats s = cache.stats(); // a failed unwrap throws from the loader: a load failure
        return new KeyCacheStats(s.hitCount(), s.missCount(), s.loadFailureCount(), cache.estimatedSize());
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

    /** Erases every cached key, including those still in their grace period. */
    @Override
    public void close() {
        invalidateAll();
        eraser.shutdownNow();
        awaitingErasure.forEach(SecretBytes::destroy);
        awaitingErasure.clear();
    }
}
