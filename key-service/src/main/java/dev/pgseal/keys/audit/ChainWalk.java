package dev.pgseal.keys.audit;

import dev.pgseal.keys.audit.AuditLog.StoredEvent;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One pass over {@code pgseal.audit_log} in id order from a known link: plain SHA-256 links before
 * the keyed start, HMAC links from it on. Stops at the first bad event and says why; when a MAC
 * does not verify it probes the neighbouring events, so a moved event is named as reordered rather
 * than as edited.
 */
final class ChainWalk {

    /** How many events before and after a bad one are tried as its real neighbours. */
    private static final int PROBE_WINDOW = 16;

    /** Where a walk starts: after event {@code id}, whose chain link and plain hash are given (id 0: genesis). */
    record Start(long id, byte[] link, byte[] hash) {
        static final Start GENESIS = new Start(0, AuditLog.GENESIS, AuditLog.GENESIS);
    }

    /**
     * What a walk found.
     *
     * @param checked events that verified
     * @param unkeyed how many of them predate the keyed chain
     * @param brokenAtId the first bad event, or null
     * @param reason why, or null
     * @param head the last event that verified (the start when none did)
     * @param watchedLink the link of event {@code watchId}, or null when the walk did not reach it
     */
    record Result(long checked, long unkeyed, Long brokenAtId, String reason, Start head, byte[] watchedLink) {
        boolean intact() {
            return brokenAtId == null;
        }
    }

    private ChainWalk() {
    }

    /** The first id of the keyed chain, or -1 when the store predates it (migration V3 not applied). */
    static long keyedFrom(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select to_regclass('pgseal.audit_chain') is not null");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return -1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select keyed_from from pgseal.audit_chain");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("pgseal.audit_chain is empty: the keyed chain's start marker was deleted");
            }
            return rs.getLong(1);
        }
    }

    /** The stored event {@code id}, or null. */
    static StoredEvent event(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(AuditLog.SELECT_EVENTS + "where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? StoredEvent.read(rs) : null;
            }
        }
    }

    /** The newest stored event, or null when the log is empty. */
    static StoredEvent newest(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(AuditLog.SELECT_EVENTS + "order by id desc limit 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? StoredEvent.read(rs) : null;
        }
    }

    /** Walks every event after {@code start}; {@code watchId} names an event whose link the caller wants. */
    static Result walk(Connection c, AuditMac mac, long keyedFrom, Start start, long watchId) throws SQLException {
        long checked = 0;
        long unkeyed = 0;
        long expectedId = start.id() + 1;
        byte[] prevHash = start.hash();
        byte[] prevLink = start.link();
        Start head = start;
        byte[] watched = watchId == start.id() ? start.link() : null;
        Map<String, Long> idByHash = new HashMap<>();
        Deque<Start> recent = new ArrayDeque<>();
        try (PreparedStatement ps = c.prepareStatement(AuditLog.SELECT_EVENTS + "where id > ? order by id")) {
            ps.setLong(1, start.id());
            ps.setFetchSize(1000); // stream: the log may be larger than memory wants
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StoredEvent e = StoredEvent.read(rs);
                    String problem;
                    if (e.id() < keyedFrom) {
                        problem = e.mac() != null
                                ? "event " + e.id() + " carries a MAC but lies before the keyed chain's start (event "
                                    + keyedFrom + "): the start marker in pgseal.audit_chain was moved"
                                : AuditLog.plainLinkProblem(e, expectedId, prevHash, idByHash);
                    } else {
                        problem = keyedProblem(c, mac, keyedFrom, e, expectedId, prevHash, prevLink, recent);
                    }
                    if (problem != null) {
                        return new Result(checked, unkeyed, e.id(), problem, head, watched);
                    }
                    if (e.id() < keyedFrom) {
                        unkeyed++;
                        idByHash.put(HexFormat.of().formatHex(e.hash()), e.id());
                    }
                    head = new Start(e.id(), e.link(), e.hash());
                    if (e.id() == watchId) {
                        watched = e.link();
                    }
                    recent.addLast(head);
                    if (recent.size() > PROBE_WINDOW) {
                        recent.removeFirst();
                    }
                    prevHash = e.hash();
                    prevLink = e.link();
                    expectedId = e.id() + 1;
                    checked++;
                }
            }
        }
        return new Result(checked, unkeyed, null, null, head, watched);
    }

    private static String keyedProblem(Connection c, AuditMac mac, long keyedFrom, StoredEvent e, long expectedId,
            byte[] prevHash, byte[] prevLink, Deque<Start> recent) throws SQLException {
        long id = e.id();
        String gap = AuditLog.idProblem(e, expectedId);
        if (gap != null) {
            return gap;
        }
        if (e.mac() == null) {
            return "event " + id + " has no MAC although the keyed chain starts at event " + keyedFrom
                    + " (written without the audit key, or its MAC was removed)";
        }
        if (!mac.verifyMac(e.mac(), e.linkInput(prevLink))) {
            return diagnose(c, mac, keyedFrom, e, prevLink, recent);
        }
        // The MAC vouches for the content; the plain columns must still agree with it.
        if (!MessageDigest.isEqual(e.prevHash(), prevHash) || !MessageDigest.isEqual(e.plainHash(prevHash), e.hash())) {
            return "event " + id + "'s plain hash columns were altered (its MAC is valid)";
        }
        return null;
    }

    /** Names why event {@code e}'s MAC does not verify: moved (reordered) or edited. */
    private static String diagnose(Connection c, AuditMac mac, long keyedFrom, StoredEvent e, byte[] prevLink,
            Deque<Start> recent) throws SQLException {
        long id = e.id();
        List<StoredEvent> later = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(AuditLog.SELECT_EVENTS + "where id > ? order by id limit ?")) {
            ps.setLong(1, id);
            ps.setInt(2, PROBE_WINDOW);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    later.add(StoredEvent.read(rs));
                }
            }
        }
        // Is the event that belongs here stored further on?
        for (StoredEvent l : later) {
            if (l.mac() != null && mac.verifyMac(l.mac(), l.linkInput(prevLink))) {
                return "events were reordered (the event stored as " + l.id() + " is the one that follows event "
                        + (id - 1) + " in the chain, not event " + id + ")";
            }
        }
        // Does this event follow another one than its predecessor?
        for (Start s : recent) {
            if (s.id() != id - 1 && mac.verifyMac(e.mac(), e.linkInput(s.link()))) {
                return "events were reordered (event " + id + " follows event " + s.id() + " in the chain, not event "
                        + (id - 1) + ")";
            }
        }
        for (StoredEvent l : later) {
            if (l.mac() != null && mac.verifyMac(e.mac(), e.linkInput(l.mac()))) {
                return "events were reordered (event " + id + " follows event " + l.id() + " in the chain, not event "
                        + (id - 1) + ")";
            }
        }
        if (id == keyedFrom && id > 1) {
            return "event " + id + " was edited, or the unkeyed events before it (1.." + (id - 1) + ") were rewritten "
                    + "(its MAC, anchored to event " + (id - 1) + "'s hash, does not match)";
        }
        return "event " + id + " was edited (its MAC does not match its content: forged without the audit key)";
    }
}
