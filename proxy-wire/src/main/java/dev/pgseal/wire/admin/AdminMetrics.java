package dev.pgseal.wire.admin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.alerts.Alert;
import dev.pgseal.keys.alerts.AlertObserver;
import dev.pgseal.keys.alerts.AlertRule;
import dev.pgseal.keys.alerts.Alerts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics {@code /metrics} exposes, all through Micrometer binders and meters (no counters kept
 * by hand): the JVM (memory, GC, threads, class loading, processor, uptime), Netty's pooled
 * allocator, the key store's HikariCP pool (HikariCP's own Micrometer tracker), the key service's
 * data-key cache (Caffeine's statistics), the statement planner's plan caches (likewise), any Caffeine
 * cache handed in, the alerts fired by rule,
 * and the admin requests themselves (a timer by method, route and status).
 */
public final class AdminMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminMetrics.class);

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
            try {
                keys.reportStorePoolTo(registry);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // A pool reports to one registry: a second admin server over the same key service.
                LOG.warn("the key store's pool metrics are not exposed on this admin listener: {}", e.getMessage());
            }
        }
    }

    /**
     * Counts the alerts of {@code alerts}: {@code pgseal_alerts_total{rule}} (every enabled rule
     * registered at 0, so the family is there before the first alert),
     * {@code pgseal_alerts_webhook_failures_total{rule}} (likewise, when a webhook is configured) and
     * {@code pgseal_alerts_dropped_events_total} (audit events the rules had no room for).
     */
    public void bindAlerts(Alerts alerts) {
        for (AlertRule rule : alerts.enabledRules()) {
            alertCounter(rule);
            if (alerts.settings().webhook().isPresent()) {
                webhookFailures(rule);
            }
        }
        Counter dropped = Counter.builder("pgseal.alerts.dropped.events")
                .description("Audit events the alert rules could not evaluate (their queue was full)")
                .register(registry);
        alerts.addObserver(new AlertObserver() {
            @Override
            public void fired(Alert alert) {
                alertCounter(alert.rule()).increment();
            }

            @Override
            public void webhookFailed(Alert alert, String reason) {
                webhookFailures(alert.rule()).increment();
            }

            @Override
            public void eventDropped() {
                dropped.increment();
            }
        });
    }

    private Counter webhookFailures(AlertRule rule) {
        return Counter.builder("pgseal.alerts.webhook.failures")
                .description("Alerts the webhook could not deliver, by rule")
                .tag("rule", rule.id())
                .register(registry);
    }

    private Counter alertCounter(AlertRule rule) {
        return Counter.builder("pgseal.alerts")
                .description("Alerts fired, by rule (after de-duplication)")
                .tag("rule", rule.id())
                .register(registry);
    }

    /**
     * Exposes a Caffeine cache's statistics under {@code cache_*{cache="name"}} (Micrometer's
     * Caffeine binder). The cache must be built with {@code recordStats()} for hit and miss counts.
     */
    public void monitor(String name, Cache<?, ?> cache) {
        CaffeineCacheMetrics.monitor(registry, cache, name);
    }

    /**
     * The statement planner's plan caches (one per policy, counted together across reloads):
     * {@code pgseal_plan_cache_requests_total{result="hit"|"miss"}} and
     * {@code pgseal_plan_cache_evictions_total}, read from Caffeine's statistics.
     */
    public void bindPlanCache(StatsCounter stats) {
        for (String result : new String[] {"hit", "miss"}) {
            FunctionCounter.builder("pgseal.plan.cache.requests", stats,
                    s -> result.equals("hit") ? s.snapshot().hitCount() : s.snapshot().missCount())
                    .tag("result", result)
                    .description("Statements planned from the plan cache (hit) or planned anew (miss)")
                    .register(registry);
        }
        FunctionCounter.builder("pgseal.plan.cache.evictions", stats, s -> s.snapshot().evictionCount())
                .description("Plans evicted from the plan cache (it keeps the most used statements)")
                .register(registry);
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
