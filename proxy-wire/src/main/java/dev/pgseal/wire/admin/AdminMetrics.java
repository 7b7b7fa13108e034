package dev.pgseal.wire.admin;

import com.github.benmanes.caffeine.cache.Cache;
import dev.pgseal.keys.KeyService;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;

/**
 * The metrics {@code /metrics} exposes, all through Micrometer binders and meters (no counters kept
 * by hand): the JVM (memory, GC, threads, class loading, processor, uptime), Netty's pooled
 * allocator, the key service's data-key cache, any Caffeine cache handed in, and the admin requests
 * themselves (a timer by method, route and status).
 */
public final class AdminMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    AdminMetrics(KeyService keys) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        if (keys != null) {
            new KeyCacheMetrics(keys).bindTo(registry);
        }
    }

    /**
     * Exposes a Caffeine cache's statistics under {@code cache_*{cache="name"}} (Micrometer's
     * Caffeine binder). The cache must be built with {@code recordStats()} for hit and miss counts.
     */
    public void monitor(String name, Cache<?, ?> cache) {
        CaffeineCacheMetrics.monitor(registry, cache, name);
    }

    /** The registry, for other parts of the server to register their meters in. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    void recordRequest(String method, String route, int status, long nanos) {
        Timer.builder("pgseal.admin.requests")
                .description("Admin API requests by method, route and status")
                .tag("method", method)
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
