package dev.pgseal.keys;

import dev.pgseal.keys.store.KeyRingRepository;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encryptions per key version: counted in memory (one {@link LongAdder} per version, no lock and no
 * database call on the hot path) and added to {@code pgseal.key_versions.encryptions} periodically
 * and on close.
 */
final class EncryptionCounter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);

    private final KeyStoreDatabase db;
    private final KeyRingRepository repository;
    private final Map<Long, Count> counts = new ConcurrentHashMap<>();
    private final Object flushLock = new Object();
    private final ScheduledExecutorService flusher;

    /** Encryptions under one key version by this instance: all of them, and how many are in the store. */
    private static final class Count {
        final int ringId;
        final int version;
        final LongAdder total = new LongAdder();
        long stored; // guarded by flushLock

        Count(long key) {
            this.ringId = (int) (key >>> 32);
            this.version = (int) key;
        }
    }

    EncryptionCounter(KeyStoreDatabase db, KeyRingRepository repository, Duration flushInterval) {
        this.db = db;
        this.repository = repository;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgseal-encryption-counts");
            t.setDaemon(true);
            return t;
        });
        long every = flushInterval.toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void record(DataKey key) {
        counts.computeIfAbsent(DataKeyCache.cacheKey(key.ringId(), key.version()), Count::new).total.increment();
    }

    /** See {@link KeyService#flushEncryptionCounts()}. */
    long flush() {
        synchronized (flushLock) {
            Map<Count, Long> pending = new LinkedHashMap<>();
            for (Count count : counts.values()) {
                // Never reset the adder: an increment racing with this read is simply counted next time.
                long delta = count.total.sum() - count.stored;
                if (delta > 0) {
                    pending.put(count, delta);
                }
            }
            if (pending.isEmpty()) {
                return 0;
            }
            db.inTransaction(c -> {
                for (Map.Entry<Count, Long> e : pending.entrySet()) {
                    repository.addEncryptions(c, e.getKey().ringId, e.getKey().version, e.getValue());
                }
                return null;
            });
            long added = 0;
            for (Map.Entry<Count, Long> e : pending.entrySet()) {
                e.getKey().stored += e.getValue();
                added += e.getValue();
            }
            return added;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("cannot record encryption counts in the key store (kept for the next attempt): {}", e.getMessage());
        }
    }

    /** Stops the periodic flush and adds what is still in memory (the store must still be open). */
    @Override
    public void close() {
        flusher.shutdownNow();
        flushQuietly();
    }
}
