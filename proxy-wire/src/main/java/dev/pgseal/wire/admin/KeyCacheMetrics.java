package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;

/**
 * Micrometer's cache binder over the key service's data-key cache: size, hits, misses — each miss
 * is an unwrap in the HSM — and failed unwraps, read at scrape time from Caffeine's own statistics
 * ({@code recordStats()}), which the key service passes on as {@link dev.pgseal.keys.KeyCacheStats}.
 * The meters are those {@code CaffeineCacheMetrics} writes ({@code cache_gets_total{result}},
 * {@code cache_size}, {@code cache_puts_total}, tag {@code cache="data_keys"}); the cache object
 * itself stays private to the key service because it holds unwrapped keys.
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
