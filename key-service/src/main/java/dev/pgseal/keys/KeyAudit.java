package dev.pgseal.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pgseal.keys.audit.AuditChainReport;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditListener;
import dev.pgseal.keys.audit.AuditCheckpoint;
import dev.pgseal.keys.audit.AuditSettings;
import dev.pgseal.keys.audit.AuditTrail;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key service's audit job: events written inside the caller's transaction or in one of their
 * own, outcomes of refused and failed operations, and denied key requests (at most one event per
 * ring/version/reason per minute, so a flood of bad ciphertexts does not flood the log). Events are
 * linked with the HSM-held audit key, and checkpoints go outside PostgreSQL ({@link AuditTrail}).
 */
final class KeyAudit {

    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);

    private final KeyStoreDatabase db;
    private final Clock clock;
    private final MasterKeyStore keys;
    private final AuditSettings settings;
    private volatile AuditTrail trail;
    private final List<AuditListener> listeners = new CopyOnWriteArrayList<>();
    private final Cache<String, Boolean> recentDenials =
            Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    KeyAudit(KeyStoreDatabase db, Clock clock, MasterKeyStore keys, AuditSettings settings) {
        this.db = db;
        this.clock = clock;
        this.keys = keys;
        this.settings = settings;
    }

    /** Finds or creates the audit key and starts the checkpoints; before the first append. */
    void start() {
        trail = AuditTrail.open(db, keys::auditMac, settings, clock);
    }

    /** Appends in the caller's transaction: the event commits or rolls back with the change it records. */
    void append(Connection c, AuditEvent event) throws SQLException {
        AuditTrail t = trail;
        if (t == null) {
            throw new IllegalStateException("the audit trail is not started");
        }
        long id = t.log().append(c, event);
        t.appended(id);
        if (!listeners.isEmpty()) {
            db.afterCommit(c, () -> tellListeners(id, event));
        }
    }

    /** Tells {@code alarm} of each finding that the stored chain no longer extends what this instance saw. */
    void onTampering(java.util.function.Consumer<String> alarm) {
        AuditTrail t = trail;
        if (t == null) {
            throw new IllegalStateException("the audit trail is not started");
        }
        t.onTampering(alarm);
    }

    /** Tells {@code listener} of every event appended from now on, after its commit. */
    void addListener(AuditListener listener) {
        listeners.add(listener);
    }

    private void tellListeners(long id, AuditEvent event) {
        for (AuditListener l : listeners) {
            try {
                l.appended(id, event);
            } catch (RuntimeException e) {
                LOG.warn("audit listener {} failed on event {} ({}): {}", l.getClass().getName(), id, event.action(),
                        e.toString());
            }
        }
    }

    /** Appends in a transaction of its own. */
    void appendNow(AuditEvent event) {
        db.inTransaction(c -> {
            append(c, event);
            return null;
        });
    }

    void denied(String actor, String action, String object, RuntimeException e) {
        outcome(actor, action, object, AuditEvent.Outcome.DENIED, e);
    }

    void failed(String actor, String action, String object, RuntimeException e) {
        outcome(actor, action, object, AuditEvent.Outcome.FAILURE, e);
    }

    private void outcome(String actor, String action, String object, AuditEvent.Outcome outcome, RuntimeException e) {
        try {
            appendNow(new AuditEvent(actor, action, object, outcome, details("reason", String.valueOf(e.getMessage()))));
        } catch (RuntimeException auditFailure) {
            e.addSuppressed(auditFailure);
        }
    }

    /** Whether a request with this key was denied within the last minute (so it is not retried against the store). */
    boolean recentlyDenied(String denialKey) {
        return recentDenials.getIfPresent(denialKey) != null;
    }

    /** Audits a denied key request (rate-limited) and returns the exception to throw. */
    KeyUnavailableException deny(String object, String denialKey, String reason) {
        if (recentDenials.asMap().putIfAbsent(denialKey + "|" + reason, Boolean.TRUE) == null) {
            try {
                appendNow(new AuditEvent(KeyService.SYSTEM_ACTOR, "key.request", object, AuditEvent.Outcome.DENIED,
                        details("reason", reason)));
            } catch (RuntimeException e) {
                LOG.warn("cannot audit a denied key request for {}: {}", object, e.getMessage());
            }
        }
        recentDenials.put(denialKey, Boolean.TRUE);
        return new KeyUnavailableException(reason);
    }

    AuditChainReport verify() {
        return trail.verify();
    }

    Optional<AuditCheckpoint> checkpoint() {
        return trail.checkpoint();
    }

    /** Writes the last checkpoint and stops; the keystore and the store must still be open. */
    void close() {
        AuditTrail t = trail;
        if (t != null) {
            t.close();
        }
    }

    /** The audit object of a key version. */
    static String object(KeyRing ring, int version) {
        return "ring:" + ring.name() + "/v" + version;
    }

    /** Details from key-value pairs, in order, without null values. */
    static Map<String, Object> details(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }
}
