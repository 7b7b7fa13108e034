package dev.pgseal.keys.alerts;

import dev.pgseal.keys.KeyCacheStats;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyServiceHealth;
import dev.pgseal.keys.audit.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert rules of one running server. They read the stream of audit events this instance
 * appends (handed over after each commit, see {@link KeyService#addAuditListener}) and probe the
 * master key store; see {@link AlertRule} for the rules and {@link AlertSettings} for their
 * thresholds. Each alert, once per rule and subject per window:
 * <ol>
 *   <li>is written to the audit log as {@code alert.<rule>} by actor {@code pgseal} (object: the
 *       subject; details: the alert's details and message), which is what {@code GET /v1/alerts}
 *       and {@code pgseal alerts list} read;</li>
 *   <li>is logged at WARN ({@code ALERT <rule> on <subject>: <message>});</li>
 *   <li>is told to the {@link AlertObserver}s (the admin server counts {@code pgseal_alerts_total});</li>
 *   <li>is POSTed to the webhook, when one is configured.</li>
 * </ol>
 * The rules run on one thread of their own, fed through a bounded queue: an audited operation never
 * waits for them, and when the queue is full the event is dropped (logged, told to the observers).
 * When the audit log cannot be written (the store or the HSM is down) the alert still goes to the
 * log, the observers and the webhook. Each instance alerts on what it audits itself.
 */
public final class Alerts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    /** The audit action prefix of alert events. */
    public static final String ACTION_PREFIX = "alert.";
    /** The actor of alert events. */
    public static final String ACTOR = KeyService.SYSTEM_ACTOR;
    /** The subject of master key store alerts. */
    static final String HSM_SUBJECT = "master-key-store";
    /** The subject of audit tampering alerts. */
    static final String TAMPERING_SUBJECT = "audit-log";
    /** One audit tampering alert per finding; a new finding within this window is only logged. */
    static final Duration TAMPERING_WINDOW = Duration.ofMinutes(5);
    static final int EVENT_QUEUE = 10_000;

    /** What a master key store probe found. */
    public record HsmReading(boolean up, String detail, long failedUnwraps) {
    }

    private final AlertSettings settings;
    private final Clock clock;
    private final Consumer<AuditEvent> auditWriter;
    private final Supplier<HsmReading> hsm;
    private final DeniedRequestsRule denied;
    private final DecryptVolumeRule volume;
    private final Set<String> configActions;
    private final AlertThrottle throttle = new AlertThrottle();
    private final List<AlertObserver> observers = new CopyOnWriteArrayList<>();
    private final Optional<AlertWebhook> webhook;
    private final ThreadPoolExecutor rules;
    private final ScheduledExecutorService probes;
    private final AtomicLong droppedEvents = new AtomicLong();
    private long lastFailedUnwraps = -1; // rules thread only

    /**
     * Alerts over {@code auditWriter} (where alert events go) and {@code hsm} (the probe), with
     * the rules' thread and the webhook started; the probe is scheduled by {@link #start}.
     */
    Alerts(AlertSettings settings, Clock clock, Consumer<AuditEvent> auditWriter, Supplier<HsmReading> hsm) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.auditWriter = Objects.requireNonNull(auditWriter, "auditWriter");
        this.hsm = Objects.requireNonNull(hsm, "hsm");
        this.denied = new DeniedRequestsRule(settings.deniedRequests());
        this.volume = new DecryptVolumeRule(settings.decryptVolume());
        this.configActions = Set.copyOf(settings.configChange().actions());
        this.webhook = settings.webhook().map(w -> new AlertWebhook(w, this::webhookFailed));
        this.rules = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(EVENT_QUEUE),
                r -> daemon(r, "pgseal-alert-rules"));
        this.probes = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pgseal-alert-probe"));
    }

    /**
     * Starts the rules over {@code keys}: listens to its audit events and, when rule
     * {@code hsm_error} is on, probes its master key store every {@code hsm_error.check_interval}.
     */
    public static Alerts start(AlertSettings settings, KeyService keys, Clock clock) {
        Alerts alerts = new Alerts(settings, clock, keys::recordEvent, () -> {
            KeyServiceHealth h = keys.health();
            KeyCacheStats s = h.cache();
            return new HsmReading(h.masterKeys().up(), h.masterKeys().detail(), s == null ? 0 : s.failedUnwraps());
        });
        keys.addAuditListener(alerts::onAudit);
        keys.onAuditTampering(alerts::auditTampered);
        if (settings.hsmError().enabled()) {
            long every = settings.hsmError().checkInterval().toMillis();
            alerts.probes.scheduleWithFixedDelay(alerts::probeHsm, every, every, TimeUnit.MILLISECONDS);
        }
        return alerts;
    }

    /** The settings in force. */
    public AlertSettings settings() {
        return settings;
    }

    /** The rules that are on. */
    public List<AlertRule> enabledRules() {
        List<AlertRule> out = new ArrayList<>();
        for (AlertRule r : AlertRule.values()) {
            if (settings.enabled(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Tells {@code observer} of every alert from now on. */
    public void addObserver(AlertObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /** Audit events that could not be evaluated since the start (the rules' queue was full). */
    public long droppedEvents() {
        return droppedEvents.get();
    }

    /** The audit listener: hands the event to the rules' thread, never blocks. */
    void onAudit(long id, AuditEvent event) {
        if (event.action().startsWith(ACTION_PREFIX)) {
            return; // our own alert events
        }
        try {
            rules.execute(() -> fireAll(evaluate(event, clock.instant())));
        } catch (RejectedExecutionException e) {
            if (rules.isShutdown()) {
                return; // closed: the key service outlives the rules for a moment at shutdown
            }
            if (droppedEvents.getAndIncrement() % 1000 == 0) {
                LOG.warn("the alert rules are behind ({} events queued): audit event {} ({}) not evaluated; {} dropped "
                        + "so far", EVENT_QUEUE, id, event.action(), droppedEvents.get());
            }
            observers.forEach(o -> safely(() -> o.eventDropped()));
        }
    }

    /**
     * Runs every rule that is on over {@code event} at {@code now} and returns the alerts to fire,
     * de-duplicated (one per rule and subject per window). Does not fire them. Not thread-safe: the
     * rules' thread (or a test) calls it.
     */
    List<Alert> evaluate(AuditEvent event, Instant now) {
        if (event.action().startsWith(ACTION_PREFIX)) {
            return List.of();
        }
        List<Alert> candidates = new ArrayList<>(2);
        if (settings.deniedRequests().enabled()) {
            candidates.addAll(denied.observe(event, now));
        }
        if (settings.decryptVolume().enabled()) {
            volume.observe(event, now).ifPresent(candidates::add);
        }
        boolean success = event.outcome() == AuditEvent.Outcome.SUCCESS;
        if (settings.deletionScheduled().enabled() && success && event.action().equals("deletion.schedule")) {
            candidates.add(new Alert(AlertRule.DELETION_SCHEDULED, event.object(), now, "deletion of " + event.object()
                    + " scheduled by " + event.actor() + due(event), eventDetails(event)));
        }
        if (settings.keyCompromised().enabled() && success && event.action().equals("version.state")
                && "compromised".equals(event.details().get("to"))) {
            candidates.add(new Alert(AlertRule.KEY_COMPROMISED, event.object(), now, event.object()
                    + " marked compromised by " + event.actor(), eventDetails(event)));
        }
        if (settings.configChange().enabled() && success && configActions.contains(event.action())) {
            candidates.add(new Alert(AlertRule.CONFIG_CHANGE, event.object(), now, "configuration change (" + event.action()
                    + ") of " + event.object() + " by " + event.actor(), eventDetails(event)));
        }
        if (settings.hsmError().enabled() && event.outcome() == AuditEvent.Outcome.FAILURE
                && (event.action().equals("key.unwrap") || event.action().startsWith("master_key."))) {
            Map<String, Object> d = eventDetails(event);
            candidates.add(new Alert(AlertRule.HSM_ERROR, HSM_SUBJECT, now, "master key store operation " + event.action()
                    + " on " + event.object() + " failed: " + event.details().getOrDefault("reason", "unknown reason"), d));
        }
        List<Alert> out = new ArrayList<>(candidates.size());
        for (Alert a : candidates) {
            if (throttle.tryFire(a.rule(), a.subject(), now, window(a.rule()))) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * The audit trail found the stored chain no longer extends what this instance saw: fires
     * {@code audit_tampering} on the rules' thread (the finding may come from inside an append).
     */
    void auditTampered(String finding) {
        try {
            rules.execute(() -> fireAll(tampering(finding, clock.instant())));
        } catch (RejectedExecutionException e) {
            LOG.error("alert rules closed or busy: audit tampering not alerted beyond the log: {}", finding);
        }
    }

    /** The {@code audit_tampering} alert of {@code finding} (de-duplicated per window), if any. */
    List<Alert> tampering(String finding, Instant now) {
        Alert a = new Alert(AlertRule.AUDIT_TAMPERING, TAMPERING_SUBJECT, now, "the stored audit chain no longer "
                + "extends what this instance saw: " + finding, details("finding", finding));
        return throttle.tryFire(a.rule(), a.subject(), now, TAMPERING_WINDOW) ? List.of(a) : List.of();
    }

    /** Probes the master key store now (on the rules' thread) and fires {@code hsm_error} if it failed. */
    void probeHsm() {
        try {
            rules.execute(() -> fireAll(checkHsm(hsmReading(), clock.instant())));
        } catch (RejectedExecutionException e) {
            LOG.debug("alert rules closed or busy: master key store probe skipped");
        }
    }

    private HsmReading hsmReading() {
        try {
            return hsm.get();
        } catch (RuntimeException e) {
            return new HsmReading(false, "probe failed: " + e.getMessage(), lastFailedUnwraps < 0 ? 0 : lastFailedUnwraps);
        }
    }

    /** The {@code hsm_error} alert a probe reading calls for (de-duplicated), if any. */
    List<Alert> checkHsm(HsmReading reading, Instant now) {
        long before = lastFailedUnwraps;
        lastFailedUnwraps = reading.failedUnwraps();
        Alert a = null;
        if (!reading.up()) {
            a = new Alert(AlertRule.HSM_ERROR, HSM_SUBJECT, now, "the master key store is down: " + reading.detail(),
                    details("probe", "down", "detail", String.valueOf(reading.detail())));
        } else if (before >= 0 && reading.failedUnwraps() > before) {
            long n = reading.failedUnwraps() - before;
            a = new Alert(AlertRule.HSM_ERROR, HSM_SUBJECT, now, n + " data-key unwrap(s) failed since the last probe",
                    details("probe", "up", "failed_unwraps", n));
        }
        if (a == null || !settings.hsmError().enabled()
                || !throttle.tryFire(a.rule(), a.subject(), now, settings.hsmError().window())) {
            return List.of();
        }
        return List.of(a);
    }

    /** Fires each alert: audit event, WARN line, observers, webhook. */
    void fireAll(List<Alert> alerts) {
        for (Alert a : alerts) {
            fire(a);
        }
    }

    private void fire(Alert a) {
        LOG.warn("ALERT {} on {}: {}", a.rule().id(), a.subject(), a.message());
        Map<String, Object> d = new LinkedHashMap<>(a.details());
        d.put("rule", a.rule().id());
        d.put("message", a.message());
        try {
            auditWriter.accept(new AuditEvent(ACTOR, a.rule().auditAction(), a.subject(), AuditEvent.Outcome.SUCCESS, d));
        } catch (RuntimeException e) {
            LOG.error("alert {} on {} could not be written to the audit log: {}", a.rule().id(), a.subject(),
                    e.getMessage());
        }
        for (AlertObserver o : observers) {
            safely(() -> o.fired(a));
        }
        webhook.ifPresent(w -> w.send(a));
    }

    private void webhookFailed(Alert a, String reason) {
        for (AlertObserver o : observers) {
            safely(() -> o.webhookFailed(a, reason));
        }
    }

    private Duration window(AlertRule rule) {
        return switch (rule) {
            case DENIED_REQUESTS -> settings.deniedRequests().window();
            case DECRYPT_VOLUME -> settings.decryptVolume().window();
            case DELETION_SCHEDULED -> settings.deletionScheduled().window();
            case KEY_COMPROMISED -> settings.keyCompromised().window();
            case CONFIG_CHANGE -> settings.configChange().window();
            case HSM_ERROR -> settings.hsmError().window();
            case AUDIT_TAMPERING -> TAMPERING_WINDOW;
        };
    }

    private static String due(AuditEvent e) {
        Object due = e.details().get("due_at");
        return due == null ? "" : ", due at " + due;
    }

    /** The triggering event's actor, action and details (names and numbers only). */
    private static Map<String, Object> eventDetails(AuditEvent e) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("actor", e.actor());
        d.put("action", e.action());
        e.details().forEach((k, v) -> d.putIfAbsent("event_" + k, v));
        return d;
    }

    private static Map<String, Object> details(Object... kv) {
        Map<String, Object> d = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            d.put((String) kv[i], kv[i + 1]);
        }
        return d;
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("alert observer failed: {}", e.toString());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Waits until every event handed over so far has been evaluated and its alerts fired (the
     * webhook may still be sending). For tests and orderly shutdown.
     *
     * @return false when that took longer than {@code timeout}
     */
    public boolean awaitIdle(Duration timeout) {
        java.util.concurrent.Future<?> marker;
        try {
            marker = rules.submit(() -> { });
        } catch (RejectedExecutionException e) {
            return true;
        }
        try {
            marker.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops probing, evaluates what is queued (up to 5 s), and lets the webhook send what it holds
     * (up to its timeout). Call before the key service closes: alert events still go to its audit log.
     */
    @Override
    public void close() {
        probes.shutdownNow();
        rules.shutdown();
        try {
            if (!rules.awaitTermination(5, TimeUnit.SECONDS)) {
                rules.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rules.shutdownNow();
        }
        webhook.ifPresent(AlertWebhook::close);
    }
}
