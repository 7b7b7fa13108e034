package dev.pgseal.keys.store;

import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.KeyVersion;
import dev.pgseal.keys.WrappedKey;
import dev.pgseal.keys.kms.KeyType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes key rings, their versions and master-key records in schema {@code pgseal}.
 * Every method runs on the caller's connection (and so in the caller's transaction); {@link #save}
 * checks the ring's invariants before it writes.
 */
public final class KeyRingRepository {

    private static final String RING_COLUMNS = "id, name, created_at, rotation_period_seconds, min_decryption_version, "
            + "deletion_due_at, deleted_at, key_type";
    private static final String VERSION_COLUMNS = "ring_id, version, state, wrapped_material, master_key_label, "
            + "created_at, activated_at, deactivated_at, compromised_at, destroyed_at, deletion_due_at, public_key";
    // Read, never written by save(): instances only ever add to it (addEncryptions).
    private static final String VERSION_READ_COLUMNS = VERSION_COLUMNS + ", encryptions";

    /** Every ring with its versions, ordered by name. */
    public List<KeyRing> findAll(Connection c) throws SQLException {
        Map<Integer, RingRow> rings = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select " + RING_COLUMNS + " from pgseal.key_rings order by name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                RingRow r = ringRow(rs);
                rings.put(r.id, r);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select " + VERSION_READ_COLUMNS
                + " from pgseal.key_versions order by ring_id, version");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                RingRow r = rings.get(rs.getInt("ring_id"));
                if (r != null) {
                    r.versions.add(versionRow(rs));
                }
            }
        }
        List<KeyRing> out = new ArrayList<>();
        for (RingRow r : rings.values()) {
            out.add(r.toRing());
        }
        return out;
    }

    /** One ring by name, optionally locking its row until the transaction ends. */
    public Optional<KeyRing> findByName(Connection c, String name, boolean forUpdate) throws SQLException {
        return findOne(c, "name = ?", ps -> ps.setString(1, name), forUpdate);
    }

    /** One ring by id, optionally locking its row until the transaction ends. */
    public Optional<KeyRing> findById(Connection c, int id, boolean forUpdate) throws SQLException {
        return findOne(c, "id = ?", ps -> ps.setInt(1, id), forUpdate);
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Optional<KeyRing> findOne(Connection c, String where, Binder binder, boolean forUpdate) throws SQLException {
        RingRow r;
        try (PreparedStatement ps = c.prepareStatement("select " + RING_COLUMNS + " from pgseal.key_rings where " + where
                + (forUpdate ? " for update" : ""))) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                r = ringRow(rs);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select " + VERSION_READ_COLUMNS
                + " from pgseal.key_versions where ring_id = ? order by version")) {
            ps.setInt(1, r.id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    r.versions.add(versionRow(rs));
                }
            }
        }
        return Optional.of(r.toRing());
    }

    /**
     * Inserts a new ring row (without versions) and returns its id; the caller then builds the
     * ring with its first version and {@link #save}s it.
     */
    public int insertRing(Connection c, String name, Instant createdAt, Duration rotationPeriod) throws SQLException {
        return insertRing(c, name, createdAt, rotationPeriod, KeyType.AES_256_GCM);
    }

    /** As {@link #insertRing(Connection, String, Instant, Duration)} for a ring of {@code type} (never changes). */
    public int insertRing(Connection c, String name, Instant createdAt, Duration rotationPeriod, KeyType type)
            throws SQLException {
        // primary_version 1 is set now so the row satisfies its check; save() writes version 1.
        try (PreparedStatement ps = c.prepareStatement("insert into pgseal.key_rings (name, created_at, "
                + "rotation_period_seconds, primary_version, key_type) values (?, ?, ?, 1, ?) returning id")) {
            ps.setString(4, type.displayName());
            ps.setString(1, name);
            ps.setObject(2, ts(createdAt));
            if (rotationPeriod == null) {
                ps.setNull(3, Types.BIGINT);
            } else {
                ps.setLong(3, rotationPeriod.toSeconds());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Checks the ring's invariants, then writes the ring row and every version (upsert). */
    public void save(Connection c, KeyRing ring) throws SQLException {
        ring.checkInvariants();
        // Versions first with the old ACTIVE row cleared, so the one-active index never sees two.
        try (PreparedStatement ps = c.prepareStatement("insert into pgseal.key_versions (" + VERSION_COLUMNS
                + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (ring_id, version) do update set "
                + "state = excluded.state, wrapped_material = excluded.wrapped_material, "
                + "master_key_label = excluded.master_key_label, activated_at = excluded.activated_at, "
                + "deactivated_at = excluded.deactivated_at, compromised_at = excluded.compromised_at, "
                + "destroyed_at = excluded.destroyed_at, deletion_due_at = excluded.deletion_due_at")) {
            List<KeyVersion> ordered = new ArrayList<>(ring.versions());
            // non-active rows before the active one
            ordered.sort((a, b) -> Boolean.compare(a.state() == KeyState.ACTIVE, b.state() == KeyState.ACTIVE));
            for (KeyVersion v : ordered) {
                ps.setInt(1, ring.id());
                ps.setInt(2, v.version());
                ps.setString(3, v.state().name());
                ps.setBytes(4, v.wrapped() == null ? null : v.wrapped().bytes());
                ps.setString(5, v.masterKeyLabel());
                ps.setObject(6, ts(v.createdAt()));
                ps.setObject(7, ts(v.activatedAt()));
                ps.setObject(8, ts(v.deactivatedAt()));
                ps.setObject(9, ts(v.compromisedAt()));
                ps.setObject(10, ts(v.destroyedAt()));
                ps.setObject(11, ts(v.deletionDueAt()));
                ps.setBytes(12, v.publicKey()); // written once: the update above never changes it
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("update pgseal.key_rings set primary_version = ?, "
                + "min_decryption_version = ?, deletion_due_at = ?, deleted_at = ?, rotation_period_seconds = ? "
                + "where id = ?")) {
            if (ring.deletedAt() != null) {
                ps.setNull(1, Types.INTEGER);
            } else {
                ps.setInt(1, ring.primaryVersion());
            }
            ps.setInt(2, ring.minDecryptionVersion());
            ps.setObject(3, ts(ring.deletionDueAt()));
            ps.setObject(4, ts(ring.deletedAt()));
            if (ring.rotationPeriod() == null) {
                ps.setNull(5, Types.BIGINT);
            } else {
                ps.setLong(5, ring.rotationPeriod().toSeconds());
            }
            ps.setInt(6, ring.id());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("key ring " + ring.name() + " (id " + ring.id() + ") is not in the store");
            }
        }
    }

    /**
     * Adds {@code count} to the encryptions recorded for a key version (an increment, so several
     * instances can add their own counts).
     *
     * @return whether the version exists
     */
    public boolean addEncryptions(Connection c, int ringId, int version, long count) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update pgseal.key_versions set encryptions = encryptions + ? "
                + "where ring_id = ? and version = ?")) {
            ps.setLong(1, count);
            ps.setInt(2, ringId);
            ps.setInt(3, version);
            return ps.executeUpdate() == 1;
        }
    }

    /** The current master key's label, if one was recorded. */
    public Optional<String> currentMasterKey(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select label from pgseal.master_keys where state = 'CURRENT'");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    /** Records {@code label} as the current master key, retiring the previous current one. */
    public void recordCurrentMasterKey(Connection c, String label, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update pgseal.master_keys set state = 'RETIRED', retired_at = ? "
                + "where state = 'CURRENT' and label <> ?")) {
            ps.setObject(1, ts(now));
            ps.setString(2, label);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("insert into pgseal.master_keys (label, state, created_at) "
                + "values (?, 'CURRENT', ?) on conflict (label) do update set state = 'CURRENT', retired_at = null")) {
            ps.setString(1, label);
            ps.setObject(2, ts(now));
            ps.executeUpdate();
        }
    }

    /** Retired master keys that no key version and no TOTP secret references any more. */
    public List<String> unreferencedRetiredMasterKeys(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select m.label from pgseal.master_keys m where m.state = 'RETIRED' "
                + "and not exists (select 1 from pgseal.key_versions v where v.master_key_label = m.label) "
                + "and not exists (select 1 from pgseal.totp_enrollments t where t.master_key_label = m.label) "
                + "order by m.label for update");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Marks a master key deleted. */
    public void markMasterKeyDeleted(Connection c, String label, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update pgseal.master_keys set state = 'DELETED', deleted_at = ? "
                + "where label = ?")) {
            ps.setObject(1, ts(now));
            ps.setString(2, label);
            ps.executeUpdate();
        }
    }

    /** Master keys and how many key versions each wraps: label → count, in label order. */
    public Map<String, Long> masterKeyReferences(Connection c) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select m.label, m.state, count(v.version) from pgseal.master_keys m "
                + "left join pgseal.key_versions v on v.master_key_label = m.label group by m.label, m.state order by m.label");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(3));
            }
        }
        return out;
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static RingRow ringRow(ResultSet rs) throws SQLException {
        long seconds = rs.getLong("rotation_period_seconds");
        Duration period = rs.wasNull() ? null : Duration.ofSeconds(seconds);
        return new RingRow(rs.getInt("id"), rs.getString("name"), instant(rs, "created_at"), period,
                rs.getInt("min_decryption_version"), instant(rs, "deletion_due_at"), instant(rs, "deleted_at"),
                KeyType.parse(rs.getString("key_type")));
    }

    private static KeyVersion versionRow(ResultSet rs) throws SQLException {
        byte[] material = rs.getBytes("wrapped_material");
        String label = rs.getString("master_key_label");
        return new KeyVersion(rs.getInt("version"), KeyState.valueOf(rs.getString("state")),
                material == null ? null : new WrappedKey(label, material),
                instant(rs, "created_at"), instant(rs, "activated_at"), instant(rs, "deactivated_at"),
                instant(rs, "compromised_at"), instant(rs, "destroyed_at"), instant(rs, "deletion_due_at"),
                rs.getLong("encryptions"), rs.getBytes("public_key"));
    }

    private static final class RingRow {
        final int id;
        final String name;
        final Instant createdAt;
        final Duration rotationPeriod;
        final int minDecryptionVersion;
        final Instant deletionDueAt;
        final Instant deletedAt;
        final KeyType type;
        final List<KeyVersion> versions = new ArrayList<>();

        RingRow(int id, String name, Instant createdAt, Duration rotationPeriod, int minDecryptionVersion,
                Instant deletionDueAt, Instant deletedAt, KeyType type) {
            this.type = type;
            this.id = id;
            this.name = name;
            this.createdAt = createdAt;
            this.rotationPeriod = rotationPeriod;
            this.minDecryptionVersion = minDecryptionVersion;
            this.deletionDueAt = deletionDueAt;
            this.deletedAt = deletedAt;
        }

        KeyRing toRing() {
            return new KeyRing(id, name, createdAt, rotationPeriod, minDecryptionVersion, deletionDueAt, deletedAt,
                    versions, type);
        }
    }
}
