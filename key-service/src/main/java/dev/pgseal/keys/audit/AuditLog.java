package dev.pgseal.keys.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
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
import java.util.Objects;
import java.util.TreeMap;

/**
 * The audit log in {@code pgseal.audit_log}. Every event carries two links to the one before it:
 * <ul>
 *   <li>{@code hash}: SHA-256 over a canonical serialization of all its columns and the previous
 *       event's hash (the original, plain chain). Anyone can recompute it, so it detects accidents,
 *       not someone with write access to the table.</li>
 *   <li>{@code mac}: HMAC-SHA256 under the audit key, which never leaves the HSM, over the event's
 *       fields and the previous link (the previous event's MAC; for the first keyed event, the hash
 *       of the last unkeyed one, so the events that predate the keyed chain are bound to it as a
 *       block). Without the HSM nobody can write a link that verifies.</li>
 * </ul>
 * {@code pgseal.audit_chain.keyed_from} (set by migration V3) is the first keyed id: events before
 * it have no MAC. Appends take a transaction-scoped advisory lock, so events from several pgseal
 * instances form one linear chain; ids are assigned under that lock (no sequence, so no gaps from
 * rollbacks). Deleting the newest events leaves a shorter valid chain: the checkpoints written
 * outside PostgreSQL ({@link AuditTrail}) are what detect that.
 */
public final class AuditLog {

    /** The advisory lock key that serializes appends ("pgseal" + "audit" as bytes, folded). */
    static final long APPEND_LOCK = 0x7067_7365_616c_4175L;
    static final byte[] GENESIS = new byte[32];
    private static final byte[] LINK_DOMAIN = "pgseal-audit-link-v2".getBytes(StandardCharsets.US_ASCII);

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    static final String SELECT_EVENTS = "select id, at, actor, action, object, outcome, details::text, prev_hash, hash, "
            + "mac from pgseal.audit_log ";

    private final Clock clock;
    private final AuditMac mac;

    /** A log that links every new event with HMAC-SHA256 under {@code mac}. */
    public AuditLog(Clock clock, AuditMac mac) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mac = Objects.requireNonNull(mac, "mac");
    }

    /**
     * Appends {@code event} on {@code c}, in the caller's transaction: if the transaction rolls
     * back, the event goes with it, and if the append fails (the HSM cannot compute the MAC, for
     * one), the caller's operation fails.
     *
     * @return the new event's id
     */
    public long append(Connection c, AuditEvent event) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, APPEND_LOCK);
            lock.execute();
        }
        long id = 1;
        byte[] prevHash = GENESIS;
        byte[] prevLink = GENESIS;
        try (PreparedStatement ps = c.prepareStatement("select id, hash, mac from pgseal.audit_log order by id desc limit 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                id = rs.getLong(1) + 1;
                prevHash = rs.getBytes(2);
                byte[] prevMac = rs.getBytes(3);
                prevLink = prevMac != null ? prevMac : prevHash;
            }
        }
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        StoredEvent e = new StoredEvent(id, at, event.actor(), event.action(), event.object(), event.outcome().name(),
                canonicalJson(event.details()), prevHash, null, null);
        byte[] hash = e.plainHash(prevHash);
        byte[] link = mac.computeMac(e.linkInput(prevLink));
        try (PreparedStatement ps = c.prepareStatement("insert into pgseal.audit_log (id, at, actor, action, object, "
                + "outcome, details, prev_hash, hash, mac) values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setObject(2, at.atOffset(ZoneOffset.UTC));
            ps.setString(3, e.actor());
            ps.setString(4, e.action());
            ps.setString(5, e.object());
            ps.setString(6, e.outcome());
            ps.setString(7, e.details());
            ps.setBytes(8, prevHash);
            ps.setBytes(9, hash);
            ps.setBytes(10, link);
            ps.executeUpdate();
        }
        return id;
    }

    /**
     * Checks the plain SHA-256 chain only, in id order, and reports the first broken link. It needs
     * no key, and so cannot tell a forged event whose hashes were recomputed from a genuine one:
     * {@link AuditTrail#verify} and {@link AuditChainVerification} check the keyed chain.
     */
    public static AuditChainReport verify(Connection c) throws SQLException {
        Map<String, Long> idByHash = new HashMap<>();
        long checked = 0;
        long expectedId = 1;
        byte[] prevHash = GENESIS;
        try (PreparedStatement ps = c.prepareStatement("select id, at, actor, action, object, outcome, details::text, "
                + "prev_hash, hash, null::bytea from pgseal.audit_log order by id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                StoredEvent e = StoredEvent.read(rs);
                String problem = plainLinkProblem(e, expectedId, prevHash, idByHash);
                if (problem != null) {
                    return AuditChainReport.broken(checked, e.id(), problem);
                }
                idByHash.put(HexFormat.of().formatHex(e.hash()), e.id());
                prevHash = e.hash();
                expectedId = e.id() + 1;
                checked++;
            }
        }
        return AuditChainReport.ok(checked);
    }

    /** Why {@code e} is not the event that should follow (gap, out of order), or null. */
    static String idProblem(StoredEvent e, long expectedId) {
        long id = e.id();
        if (id == expectedId) {
            return null;
        }
        return id > expectedId
                ? (id - 1 == expectedId ? "event " + expectedId + " was deleted (gap in ids)"
                    : "events " + expectedId + ".." + (id - 1) + " were deleted (gap in ids)")
                : "event ids are out of order";
    }

    /** The plain chain's verdict on {@code e}: edited, deleted or reordered, or null when it links. */
    static String plainLinkProblem(StoredEvent e, long expectedId, byte[] prevHash, Map<String, Long> idByHash) {
        long id = e.id();
        if (!MessageDigest.isEqual(e.plainHash(e.prevHash()), e.hash())) {
            return "event " + id + " was edited (its hash does not match its content)";
        }
        String gap = idProblem(e, expectedId);
        if (gap != null) {
            return gap;
        }
        if (!MessageDigest.isEqual(e.prevHash(), prevHash)) {
            Long other = idByHash == null ? null : idByHash.get(HexFormat.of().formatHex(e.prevHash()));
            return other != null
                    ? "events were reordered (event " + id + " links to event " + other + ", not to event " + (id - 1) + ")"
                    : "the event before " + id + " was deleted or replaced (previous-hash mismatch)";
        }
        return null;
    }

    /** One row of {@code pgseal.audit_log}, details in canonical JSON; {@code mac} null before the keyed chain. */
    record StoredEvent(long id, Instant at, String actor, String action, String object, String outcome,
            String details, byte[] prevHash, byte[] hash, byte[] mac) {

        /** Reads the columns of {@link #SELECT_EVENTS}. */
        static StoredEvent read(ResultSet rs) throws SQLException {
            return new StoredEvent(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                    rs.getString(4), rs.getString(5), rs.getString(6), recanonicalize(rs.getString(7)),
                    rs.getBytes(8), rs.getBytes(9), rs.getBytes(10));
        }

        /** The plain chain's link: SHA-256 over the id, every field and the previous hash. */
        byte[] plainHash(byte[] previous) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(fields(true, previous));
                return sha.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }

        /**
         * What the MAC covers: a domain tag, every field but the id, and the previous link. The id is
         * left out on purpose: the position of an event is fixed by the link it carries, and
         * without the id the verifier can tell where a moved event really belongs (see
         * {@link ChainWalk}); ids are still checked to be contiguous.
         */
        byte[] linkInput(byte[] previousLink) {
            return fields(false, previousLink);
        }

        private byte[] fields(boolean plain, byte[] previous) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            if (plain) {
                field(out, "pgseal-audit-v1".getBytes(StandardCharsets.UTF_8));
                field(out, Long.toString(id).getBytes(StandardCharsets.UTF_8));
            } else {
                field(out, LINK_DOMAIN);
            }
            for (String f : new String[] {at.truncatedTo(ChronoUnit.MICROS).toString(), actor, action, object, outcome,
                    details}) {
                field(out, f.getBytes(StandardCharsets.UTF_8));
            }
            field(out, previous);
            return out.toByteArray();
        }

        /** The link the next event builds on: the MAC in the keyed chain, the hash before it. */
        byte[] link() {
            return mac != null ? mac : hash;
        }
    }

    /** Length-prefixed, so no two field sequences serialize alike. */
    private static void field(ByteArrayOutputStream out, byte[] b) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
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
