package dev.pgseal.keys.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tamper-evident audit log in {@code pgseal.audit_log}: every event holds the SHA-256 of the
 * previous event, and its own hash covers a canonical serialization of all its columns plus that
 * link, so editing, deleting or reordering rows breaks the chain at a point {@link #verify} names.
 * Appends take a transaction-scoped advisory lock, so events from several pgseal instances form
 * one linear chain; ids are assigned under that lock (no sequence, hence no gaps from rollbacks).
 * (Deleting the newest rows leaves a shorter valid chain: compare the count with what you expect, or
 * export the head hash elsewhere.)
 */
public final class AuditLog {

    /** The advisory lock key that serializes appends ("pgseal" + "audit" as bytes, folded). */
    static final long APPEND_LOCK = 0x7067_7365_616c_4175L;
    static final byte[] GENESIS = new byte[32];

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    /**
     * Appends {@code event} on {@code c}, in the caller's transaction: if the transaction rolls
     * back, the event goes with it, and if the append fails, the caller's operation fails.
     *
     * @return the new event's id
     */
    public long append(Connection c, AuditEvent event) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, APPEND_LOCK);
            lock.execute();
        }
        long id = 1;
        byte[] prev = GENESIS;
        try (PreparedStatement ps = c.prepareStatement("select id, hash from pgseal.audit_log order by id desc limit 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                id = rs.getLong(1) + 1;
                prev = rs.getBytes(2);
            }
        }
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String details = canonicalJson(event.details());
        byte[] hash = hash(id, at, event.actor(), event.action(), event.object(), event.outcome().name(), details, prev);
        try (PreparedStatement ps = c.prepareStatement("insert into pgseal.audit_log (id, at, actor, action, object, "
                + "outcome, details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)")) {
            ps.setLong(1, id);
            ps.setObject(2, at.atOffset(ZoneOffset.UTC));
            ps.setString(3, event.actor());
            ps.setString(4, event.action());
            ps.setString(5, event.object());
            ps.setString(6, event.outcome().name());
            ps.setString(7, details);
            ps.setBytes(8, prev);
            ps.setBytes(9, hash);
            ps.executeUpdate();
        }
        return id;
    }

    /** Checks the whole chain in id order and reports the first broken link. */
    public static AuditChainReport verify(Connection c) throws SQLException {
        Map<String, Long> idByHash = new HashMap<>();
        long checked = 0;
        long expectedId = 1;
        byte[] prevHash = GENESIS;
        try (PreparedStatement ps = c.prepareStatement("select id, at, actor, action, object, outcome, details::text, "
                + "prev_hash, hash from pgseal.audit_log order by id")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
                    byte[] storedPrev = rs.getBytes(8);
                    byte[] stored = rs.getBytes(9);
                    byte[] recomputed = hash(id, at, rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            recanonicalize(rs.getString(7)), storedPrev);
                    if (!MessageDigest.isEqual(recomputed, stored)) {
                        return AuditChainReport.broken(checked, id, "event " + id + " was edited (its hash does not "
                                + "match its content)");
                    }
                    if (id != expectedId) {
                        return AuditChainReport.broken(checked, id, id > expectedId
                                ? (id - 1 == expectedId ? "event " + expectedId + " was deleted (gap in ids)"
                                    : "events " + expectedId + ".." + (id - 1) + " were deleted (gap in ids)")
                                : "event ids are out of order");
                    }
                    if (!MessageDigest.isEqual(storedPrev, prevHash)) {
                        Long other = idByHash.get(HexFormat.of().formatHex(storedPrev));
                        String reason = other != null
                                ? "events were reordered (event " + id + " links to event " + other + ", not to event "
                                    + (id - 1) + ")"
                                : "the event before " + id + " was deleted or replaced (previous-hash mismatch)";
                        return AuditChainReport.broken(checked, id, reason);
                    }
                    idByHash.put(HexFormat.of().formatHex(stored), id);
                    prevHash = stored;
                    expectedId = id + 1;
                    checked++;
                }
            }
        }
        return AuditChainReport.ok(checked);
    }

    static byte[] hash(long id, Instant at, String actor, String action, String object, String outcome,
            String canonicalDetails, byte[] prevHash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            field(sha, "pgseal-audit-v1");
            field(sha, Long.toString(id));
            field(sha, at.truncatedTo(ChronoUnit.MICROS).toString());
            field(sha, actor);
            field(sha, action);
            field(sha, object);
            field(sha, outcome);
            field(sha, canonicalDetails);
            sha.update(ByteBuffer.allocate(4).putInt(prevHash.length).array());
            sha.update(prevHash);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void field(MessageDigest sha, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
        sha.update(b);
    }

    static String canonicalJson(Map<String, Object> details) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(details));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details are not serializable", e);
        }
    }

    /** jsonb reorders keys and spacing: re-serialize what PostgreSQL returns in our canonical form. */
    private static String recanonicalize(String jsonb) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.readValue(jsonb, Map.class);
            return canonicalJson(map);
        } catch (JsonProcessingException e) {
            return jsonb;
        }
    }
}
