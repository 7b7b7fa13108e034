package dev.pgseal.keys.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.audit.ChainWalk.Result;
import dev.pgseal.keys.audit.ChainWalk.Start;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./pgseal audit verify}: checks the audit chain offline with the audit key (it opens the
 * keystore; it never creates a key) and checks that the chain extends the newest checkpoint of the
 * checkpoint file, so an edited, reordered or deleted event and a truncated tail are each named:
 * the first bad id and why.
 */
public final class AuditChainVerification {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditChainVerification() {
    }

    /**
     * Verifies and prints the result; returns the exit status: 0 intact, 1 broken or the stores
     * could not be read (message on {@code err}).
     *
     * @param audit the audit key's label and the checkpoint file to compare with (may be empty)
     */
    public static int run(KeystoreSettings keystore, StoreSettings store, AuditSettings audit, boolean json,
            PrintStream out, PrintStream err) {
        AuditChainReport report;
        try {
            report = verify(keystore, store, audit);
        } catch (RuntimeException e) {
            err.println("pgseal audit verify: " + e.getMessage());
            return 1;
        }
        out.println(json ? toJson(report) : report.describe());
        out.flush();
        return report.intact() ? 0 : 1;
    }

    /** Opens the keystore and the store (without migrating it) and verifies. */
    public static AuditChainReport verify(KeystoreSettings keystore, StoreSettings store, AuditSettings audit) {
        try (MasterKeyStore keys = MasterKeyStore.open(keystore);
                KeyStoreDatabase db = KeyStoreDatabase.open(store, false)) {
            AuditMac mac = keys.auditMac(audit.keyLabel(), false);
            return db.inTransaction(c -> verify(c, mac, audit.checkpointFile()));
        }
    }

    /** The whole check on one connection: the chain from genesis, then the newest checkpoint in {@code file}. */
    static AuditChainReport verify(Connection c, AuditMac mac, Optional<Path> file) throws SQLException {
        CheckpointFile.Reading reading = file.map(f -> CheckpointFile.read(f, mac)).orElse(null);
        long keyedFrom = ChainWalk.keyedFrom(c);
        if (keyedFrom < 0) {
            return AuditLog.verify(c).withNote("the store predates the keyed audit chain (migration V3 not applied): "
                    + "only the plain SHA-256 links were checked, which anyone who can write schema pgseal can recompute");
        }
        Optional<AuditCheckpoint> newest = reading == null ? Optional.empty() : reading.newest();
        Result r = ChainWalk.walk(c, mac, keyedFrom, Start.GENESIS, newest.map(AuditCheckpoint::lastId).orElse(-1L));
        AuditChainReport report = (r.intact() ? AuditChainReport.ok(r.checked())
                : AuditChainReport.broken(r.checked(), r.brokenAtId(), r.reason())).withKeyedStart(keyedFrom, r.unkeyed());
        if (newest.isPresent()) {
            report = report.withCheckpoint(newest.get().lastId(), newest.get().at());
        }
        if (!r.intact()) {
            return report;
        }
        if (reading != null && reading.problem() != null) {
            return report.asBroken(null, reading.problem());
        }
        if (newest.isPresent()) {
            AuditCheckpoint k = newest.get();
            if (k.keyedFrom() != keyedFrom) {
                return report.asBroken(Math.min(k.keyedFrom(), keyedFrom), "the keyed chain's start marker was moved "
                        + "from event " + k.keyedFrom() + " (checkpoint of " + k.at() + ") to event " + keyedFrom);
            }
            Problem p = extensionProblem(k.lastId(), k.headBytes(), "the checkpoint of " + k.at(), r.head(),
                    r.watchedLink());
            if (p != null) {
                return report.asBroken(p.id(), p.reason());
            }
            if (countUpTo(c, k.lastId()) != k.count()) {
                return report.asBroken(null, "the log holds " + countUpTo(c, k.lastId()) + " events up to event "
                        + k.lastId() + ", the checkpoint of " + k.at() + " says " + k.count());
            }
        } else if (file.isPresent()) {
            report = report.withNote("no checkpoint in " + file.get() + (reading.missing() ? " (the file does not exist)"
                    : "") + ": deleting the newest events cannot be detected");
        } else {
            report = report.withNote("no checkpoint file given (--checkpoints or audit.checkpoint_file): deleting the "
                    + "newest events cannot be detected");
        }
        if (r.unkeyed() > 0) {
            report = report.withNote("events 1.." + (keyedFrom - 1) + " predate the keyed chain: each is checked by its "
                    + "plain SHA-256 link only, and all of them together through event " + keyedFrom + "'s MAC");
        }
        return report;
    }

    /** A bad id (null: none in particular) and why. */
    record Problem(Long id, String reason) {
    }

    /**
     * Whether a chain whose verified head is {@code head} extends an earlier head ({@code lastId},
     * {@code link}), given the link the walk found at {@code lastId} (null: not reached).
     */
    static Problem extensionProblem(long lastId, byte[] link, String what, Start head, byte[] linkFound) {
        if (head.id() < lastId) {
            long first = head.id() + 1;
            return new Problem(first, (first == lastId ? "event " + lastId + " was deleted"
                    : "events " + first + ".." + lastId + " were deleted") + ": " + what + " covers up to event " + lastId
                    + ", the log ends at event " + head.id() + " (a truncated tail)");
        }
        if (linkFound == null || !MessageDigest.isEqual(linkFound, link)) {
            return new Problem(lastId, "event " + lastId + " is not the event " + what + " authenticated: events up to "
                    + lastId + " were deleted or replaced and the chain continued after them");
        }
        return null;
    }

    static long countUpTo(Connection c, long lastId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from pgseal.audit_log where id <= ?")) {
            ps.setLong(1, lastId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * {@code {"intact":true,"events":12,"unkeyed_events":0,"keyed_from":1,"checkpoint":{…},"notes":[]}}
     * with {@code broken_at_id} and {@code reason} when broken.
     */
    public static String toJson(AuditChainReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intact", report.intact());
        m.put("events", report.events());
        if (!report.intact()) {
            m.put("broken_at_id", report.brokenAtId());
            m.put("reason", report.reason());
        }
        m.put("unkeyed_events", report.unkeyedEvents());
        m.put("keyed_from", report.keyedFrom());
        if (report.checkpointLastId() != null) {
            Map<String, Object> cp = new LinkedHashMap<>();
            cp.put("last_id", report.checkpointLastId());
            cp.put("at", report.checkpointAt().toString());
            m.put("checkpoint", cp);
        } else {
            m.put("checkpoint", null);
        }
        m.put("notes", report.notes());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the audit report as JSON", e);
        }
    }
}
