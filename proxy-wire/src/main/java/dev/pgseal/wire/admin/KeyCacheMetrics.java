package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;

/**
 * Micrometer's cache binder over the key service's data-key cache (a Caffeine cache the key service
 * keeps private, since it holds unwrapped keys): size, hits, misses — each miss is an unwrap in the
 * HSM — and failed unwraps, read from the service's own counters at scrape time.
 */
final class KeyCacheMetrics extends CacheMeterBinder<KeyService> {

    KeyCacheMetrics(KeyService keys) {
        super(keys, "data_keys", Tags.empty());
    }

    @Override
    protected Long size() {
        KeyService k = getCache();
        return k == null ? null : k.cacheStats().cachedKeys();
    }

    @Override
    protected long hitCount() {
        KeyService k = getCache();
        return k == null ? 0 : k.cacheStats().hits();
    }

    @Override
    protected Long missCount() {
        KeyService k = getCache();
        return k == null ? null : k.cacheStats().misses();
    }

    @Override
    protected Long evictionCount() {
        return null; // the key service does not expose evictions
    }

    @Override
    protected long putCount() {
        KeyService k = getCache();
        return k == null ? 0 : k.cacheStats().misses() - k.cacheStats().failedUnwraps();
    }

    @Override
    protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
        FunctionCounter.builder("pgseal.keys.unwrap.failures", getCache(),
                        k -> k == null ? 0 : k.cacheStats().failedUnwraps())
                .description("Data-key unwraps that failed (HSM or store unreachable)")
                .register(registry);
    }
}
