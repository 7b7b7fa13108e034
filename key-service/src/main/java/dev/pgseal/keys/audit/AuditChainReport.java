package dev.pgseal.keys.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of checking the audit log: its chain (plain SHA-256 links before the keyed start,
 * HMAC links from it on) and, when a checkpoint file was given, whether the chain extends the
 * newest checkpoint in it.
 *
 * @param intact whether every check passed
 * @param events how many events were checked (up to the break, when broken)
 * @param brokenAtId the id of the first bad event, or null when intact (or when what is broken is
 *     not an event, e.g. the checkpoint file)
 * @param reason why (edited, deleted, reordered events, truncated tail…), or null when intact
 * @param unkeyedEvents how many of the checked events predate the keyed chain (plain hashes only)
 * @param keyedFrom the id where the keyed chain starts, or null when the store predates it
 * @param checkpointLastId the last event id of the newest checkpoint compared, or null
 * @param checkpointAt when that checkpoint was written, or null
 * @param notes what the check could not cover (no checkpoint, unkeyed events…)
 */
public record AuditChainReport(boolean intact, long events, Long brokenAtId, String reason, long unkeyedEvents,
        Long keyedFrom, Long checkpointLastId, Instant checkpointAt, List<String> notes) {

    public AuditChainReport {
        notes = List.copyOf(notes);
    }

    public static AuditChainReport ok(long events) {
        return new AuditChainReport(true, events, null, null, 0, null, null, null, List.of());
    }

    public static AuditChainReport broken(long events, long id, String reason) {
        return new AuditChainReport(false, events, id, reason, 0, null, null, null, List.of());
    }

    /** Broken in a way that names no event (e.g. a checkpoint line that does not authenticate). */
    public static AuditChainReport brokenOutsideTheLog(long events, String reason) {
        return new AuditChainReport(false, events, null, reason, 0, null, null, null, List.of());
    }

    /** This report, broken at {@code id} (null: no event) for {@code why}. */
    public AuditChainReport asBroken(Long id, String why) {
        return new AuditChainReport(false, events, id, why, unkeyedEvents, keyedFrom, checkpointLastId, checkpointAt,
                notes);
    }

    /** This report with where the keyed chain starts and how many checked events lie before it. */
    public AuditChainReport withKeyedStart(long keyedFrom, long unkeyedEvents) {
        return new AuditChainReport(intact, events, brokenAtId, reason, unkeyedEvents, keyedFrom, checkpointLastId,
                checkpointAt, notes);
    }

    /** This report with the checkpoint it was compared with. */
    public AuditChainReport withCheckpoint(long lastId, Instant at) {
        return new AuditChainReport(intact, events, brokenAtId, reason, unkeyedEvents, keyedFrom, lastId, at, notes);
    }

    /** This report with one more note. */
    public AuditChainReport withNote(String note) {
        List<String> n = new ArrayList<>(notes);
        n.add(note);
        return new AuditChainReport(intact, events, brokenAtId, reason, unkeyedEvents, keyedFrom, checkpointLastId,
                checkpointAt, n);
    }

    /**
     * For people: {@code audit log intact: 12 events} or where and why it is broken, then the
     * checkpoint compared and the notes, one per line.
     */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (intact) {
            s.append("audit log intact: ").append(events).append(" events");
        } else if (brokenAtId != null) {
            s.append("audit log broken at event ").append(brokenAtId).append(": ").append(reason)
                    .append(" (").append(events).append(" events verified before it)");
        } else {
            s.append("audit log broken: ").append(reason).append(" (").append(events).append(" events verified)");
        }
        if (keyedFrom != null) {
            s.append(System.lineSeparator()).append("keyed chain (HMAC-SHA256 under the audit key) from event ")
                    .append(keyedFrom).append("; ").append(unkeyedEvents).append(" earlier events have plain hashes only");
        }
        if (checkpointLastId != null) {
            s.append(System.lineSeparator()).append("newest checkpoint: event ").append(checkpointLastId)
                    .append(", written ").append(checkpointAt);
        }
        for (String note : notes) {
            s.append(System.lineSeparator()).append("note: ").append(note);
        }
        return s.toString();
    }
}
