package dev.pgseal.keys.audit;

import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.audit.AuditChainVerification.Problem;
import dev.pgseal.keys.audit.AuditLog.StoredEvent;
import dev.pgseal.keys.audit.ChainWalk.Result;
import dev.pgseal.keys.audit.ChainWalk.Start;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit chain as one running pgseal instance keeps it: the audit key (found, or created on
 * first use, in the keystore), the {@link AuditLog} that appends keyed events, and a checker that
 * every {@link AuditSettings#checkpointInterval()} and at shutdown verifies the events appended
 * since its last look, then appends a signed {@link AuditCheckpoint} to the checkpoint file.
 *
 * <p>The instance remembers the last head it verified (at start: the newest checkpoint in the
 * file, else the stored head). When the stored chain no longer extends it — newest events
 * deleted, an event replaced, a MAC that does not verify — it logs an {@code AUDIT ALERT} (once
 * per distinct finding), writes no further checkpoint (the file keeps the last good one for
 * {@code audit verify}) and keeps checking.
 */
public final class AuditTrail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    /** Serializes the first creation of the audit key between instances sharing a store. */
    static final long AUDIT_KEY_LOCK = 0x7067_7365_616c_4b79L;

    /** Where the audit key comes from: {@link dev.pgseal.keys.MasterKeyStore#auditMac}. */
    @FunctionalInterface
    public interface KeySource {
        AuditMac auditMac(String label, boolean create);
    }

    private final KeyStoreDatabase db;
    private final AuditMac mac;
    private final AuditSettings settings;
    private final Clock clock;
    private final AuditLog log;
    private final long keyedFrom;
    private final ScheduledExecutorService checker;
    private volatile Start remembered;
    private volatile String lastAlert;
    /** Told of each new finding (the alert rules): see {@link #onTampering}. */
    private final List<Consumer<String>> alarms = new CopyOnWriteArrayList<>();

    private AuditTrail(KeyStoreDatabase db, AuditMac mac, long keyedFrom, AuditSettings settings, Clock clock) {
        this.db = db;
        this.mac = mac;
        this.keyedFrom = keyedFrom;
        this.settings = settings;
        this.clock = clock;
        this.log = new AuditLog(clock, mac);
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgseal-audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Finds (or, while no keyed event exists, creates) the audit key, takes the newest checkpoint of
     * the file (or the stored head) as the head to extend, checks the chain against it, writes a
     * checkpoint and schedules the next ones.
     *
     * @throws MasterKeyStoreException when the audit key is missing although keyed events exist
     *     (a new key could not continue their chain), or the keystore fails
     */
    public static AuditTrail open(KeyStoreDatabase db, KeySource keys, AuditSettings settings, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        long[] keyed = new long[1];
        AuditMac mac = db.inTransaction(c -> {
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
                lock.setLong(1, AUDIT_KEY_LOCK);
                lock.execute();
            }
            keyed[0] = ChainWalk.keyedFrom(c);
            long keyedEvents;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from pgseal.audit_log where mac is not null");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                keyedEvents = rs.getLong(1);
            }
            try {
                return keys.auditMac(settings.keyLabel(), keyedEvents == 0);
            } catch (MasterKeyStoreException e) {
                if (keyedEvents == 0) {
                    throw e;
                }
                throw new MasterKeyStoreException(e.getMessage() + "; pgseal.audit_log holds " + keyedEvents
                        + " events linked with that key, which a new key could not continue: restore the keystore that "
                        + "holds it", e);
            }
        });
        AuditTrail trail = new AuditTrail(db, mac, keyed[0], settings, clock);
        trail.remembered = trail.initialHead();
        trail.checkpointQuietly();
        long every = settings.checkpointInterval().toMillis();
        trail.checker.scheduleWithFixedDelay(trail::checkpointQuietly, every, every, TimeUnit.MILLISECONDS);
        return trail;
    }

    private Start initialHead() {
        if (settings.checkpointFile().isPresent()) {
            CheckpointFile.Reading reading = CheckpointFile.read(settings.checkpointFile().get(), mac);
            if (reading.problem() != null) {
                alert(reading.problem());
            }
            if (reading.newest().isPresent()) {
                AuditCheckpoint k = reading.newest().get();
                if (k.keyedFrom() != keyedFrom) {
                    alert("the keyed chain's start marker was moved from event " + k.keyedFrom() + " (checkpoint of "
                            + k.at() + ") to event " + keyedFrom);
                }
                return new Start(k.lastId(), k.headBytes(), null);
            }
        }
        // No checkpoint yet: trust the stored head on first use, as a new instance has nothing to compare with.
        StoredEvent newest = db.inTransaction(ChainWalk::newest);
        return newest == null ? Start.GENESIS : new Start(newest.id(), newest.link(), newest.hash());
    }

    /** The log that appends keyed events. */
    public AuditLog log() {
        return log;
    }

    /** The audit key's MAC (for checkpoints and verification). */
    public AuditMac mac() {
        return mac;
    }

    /**
     * Called with the id of an event just appended: the event before it must be at least the head
     * this instance last verified, or the newest events were deleted (an alert, no exception: the
     * append itself is fine).
     */
    public void appended(long id) {
        Start r = remembered;
        if (r != null && id - 1 < r.id()) {
            alert("event " + id + " was appended after event " + (id - 1) + ", but this instance had seen the chain reach "
                    + "event " + r.id() + ": the newest events were deleted");
        }
    }

    /**
     * Verifies the events appended since this instance's last look (and that the one it saw last is
     * still there, unchanged), then appends a checkpoint to the checkpoint file when one is
     * configured.
     *
     * @return the checkpoint taken, or empty when the chain no longer extends what this instance
     *     saw (an alert was logged)
     */
    public synchronized Optional<AuditCheckpoint> checkpoint() {
        Start from = remembered;
        Object outcome = db.inTransaction(c -> {
            long marker = ChainWalk.keyedFrom(c);
            if (marker != keyedFrom) {
                return new Problem(Math.min(marker, keyedFrom), "the keyed chain's start marker was moved from event "
                        + keyedFrom + " to event " + marker);
            }
            Start start = Start.GENESIS;
            if (from.id() > 0) {
                StoredEvent seen = ChainWalk.event(c, from.id());
                if (seen == null || !MessageDigest.isEqual(seen.link(), from.link())) {
                    StoredEvent newest = ChainWalk.newest(c);
                    return AuditChainVerification.extensionProblem(from.id(), from.link(),
                            "the head this instance saw", newest == null ? Start.GENESIS
                                    : new Start(newest.id(), newest.link(), newest.hash()),
                            seen == null ? null : seen.link());
                }
                start = new Start(seen.id(), seen.link(), seen.hash());
            }
            Result r = ChainWalk.walk(c, mac, keyedFrom, start, -1);
            if (!r.intact()) {
                return new Problem(r.brokenAtId(), r.reason());
            }
            long count = AuditChainVerification.countUpTo(c, r.head().id());
            return AuditCheckpoint.create(r.head().id(), r.head().link(), count, keyedFrom, clock.instant(), mac);
        });
        if (outcome instanceof Problem p) {
            alert((p.id() == null ? "" : "event " + p.id() + ": ") + p.reason());
            return Optional.empty();
        }
        AuditCheckpoint k = (AuditCheckpoint) outcome;
        settings.checkpointFile().ifPresent(f -> CheckpointFile.append(f, k));
        remembered = new Start(k.lastId(), k.headBytes(), null);
        return Optional.of(k);
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            // The store or the HSM is down: the next run tries again; never let the schedule die.
            LOG.warn("cannot check the audit chain or write its checkpoint: {}", e.getMessage());
        }
    }

    /**
     * The full check: the chain from its first event, the newest checkpoint of the configured file,
     * and the head this instance last verified.
     */
    public AuditChainReport verify() {
        Start r = remembered;
        return db.inTransaction(c -> {
            AuditChainReport report = AuditChainVerification.verify(c, mac, settings.checkpointFile());
            if (report.intact() && r != null && r.id() > 0) {
                StoredEvent seen = ChainWalk.event(c, r.id());
                StoredEvent newest = ChainWalk.newest(c);
                Problem p = AuditChainVerification.extensionProblem(r.id(), r.link(), "the head this instance saw",
                        new Start(newest == null ? 0 : newest.id(), null, null), seen == null ? null : seen.link());
                if (p != null) {
                    return report.asBroken(p.id(), p.reason());
                }
            }
            return report;
        });
    }

    /** The last alert this instance raised, if any. */
    public Optional<String> lastAlert() {
        return Optional.ofNullable(lastAlert);
    }

    /**
     * Tells {@code alarm} of every new finding that the stored chain no longer extends what this
     * instance saw (and at once of the last finding, if there is one already). Called on the
     * thread that found it, possibly inside an append's transaction: hand the work elsewhere.
     */
    public void onTampering(Consumer<String> alarm) {
        alarms.add(alarm);
        String last = lastAlert;
        if (last != null) {
            tell(alarm, last);
        }
    }

    private void alert(String finding) {
        boolean fresh = !finding.equals(lastAlert);
        lastAlert = finding;
        if (fresh) {
            LOG.error("AUDIT ALERT: the stored audit chain no longer extends what this instance saw: {}", finding);
            alarms.forEach(a -> tell(a, finding));
        }
    }

    private static void tell(Consumer<String> alarm, String finding) {
        try {
            alarm.accept(finding);
        } catch (RuntimeException e) {
            LOG.error("an audit tampering alarm failed: {}", e.toString());
        }
    }

    /** Stops the schedule and writes a last checkpoint (call before the store and the keystore close). */
    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpointQuietly();
    }
}
