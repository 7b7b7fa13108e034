package dev.pgseal.keys.kms;

import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which principals of role {@code app} may call which data-plane operations on which key rings
 * ({@code pgseal.key_grants}). Least privilege: no grant, no access; a grant names the operations it
 * allows (by default every operation the ring's type offers). Every check reads the store, so a
 * revocation is effective for the next request on every instance. Changes are audited in the same
 * transaction.
 */
public final class KeyGrants {

    /** Appends an audit event inside the caller's transaction (the key service's keyed audit log). */
    @FunctionalInterface
    public interface AuditAppender {
        void append(Connection c, AuditEvent event) throws SQLException;
    }

    /**
     * One grant.
     *
     * @param ring the ring's name
     * @param principal the app principal
     * @param operations what it may call on the ring
     * @param grantedAt when it was granted (or last changed)
     * @param grantedBy who granted it
     */
    public record Grant(String ring, String principal, Set<KeyOperation> operations, Instant grantedAt,
            String grantedBy) {
        public Grant {
            operations = Set.copyOf(operations);
        }
    }

    private final KeyStoreDatabase db;
    private final AuditAppender audit;

    /** Grants in {@code db}, audited through {@code audit}. */
    public KeyGrants(KeyStoreDatabase db, AuditAppender audit) {
        this.db = Objects.requireNonNull(db, "db");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * Grants {@code principal} (role {@code app}) the {@code operations} on ring {@code ringName},
     * replacing an earlier grant of that pair.
     *
     * @param operations what to allow; empty for every operation the ring's type offers
     * @throws GrantException when the ring or principal is unknown, the principal is not an app, the
     *     ring is deleted, or the type does not offer an operation asked for
     */
    public Grant grant(String ringName, String principal, Set<KeyOperation> operations, String actor) {
        return db.inTransaction(c -> {
            RingRef ring = ring(c, ringName);
            if (ring.deleted) {
                throw new GrantException("key ring " + ringName + " is deleted", false);
            }
            String role = role(c, principal);
            if (role == null) {
                throw new GrantException("no principal named " + principal, true);
            }
            if (!role.equals("APP")) {
                throw new GrantException("principal " + principal + " has role " + role.toLowerCase(java.util.Locale.ROOT)
                        + ": data-plane grants are for principals of role app only", false);
            }
            Set<KeyOperation> ops = operations.isEmpty() ? ring.type.operations() : EnumSet.copyOf(operations);
            Set<KeyOperation> unsupported = EnumSet.copyOf(ops);
            unsupported.removeAll(ring.type.operations());
            if (!unsupported.isEmpty()) {
                throw new GrantException("key ring " + ringName + " is a " + ring.type.displayName() + " ring: it offers "
                        + names(ring.type.operations()) + ", not " + names(unsupported), false);
            }
            Instant now;
            try (PreparedStatement ps = c.prepareStatement("insert into pgseal.key_grants (ring_id, principal, operations, "
                    + "granted_by) values (?, ?, ?, ?) on conflict (ring_id, principal) do update set operations = "
                    + "excluded.operations, granted_at = now(), granted_by = excluded.granted_by returning granted_at")) {
                ps.setInt(1, ring.id);
                ps.setString(2, principal);
                ps.setArray(3, c.createArrayOf("text", ops.stream().map(KeyOperation::displayName).toArray()));
                ps.setString(4, actor);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    now = rs.getObject(1, OffsetDateTime.class).toInstant();
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("principal", principal);
            details.put("operations", names(ops));
            audit.append(c, AuditEvent.success(actor, "grant.create", "ring:" + ringName, details));
            return new Grant(ringName, principal, ops, now, actor);
        });
    }

    /**
     * Revokes the grant of {@code principal} on {@code ringName}.
     *
     * @return the grant revoked
     * @throws GrantException when there is no such grant
     */
    public Grant revoke(String ringName, String principal, String actor) {
        return db.inTransaction(c -> {
            RingRef ring = ring(c, ringName);
            Grant revoked = null;
            try (PreparedStatement ps = c.prepareStatement("delete from pgseal.key_grants where ring_id = ? and principal = ? "
                    + "returning operations, granted_at, granted_by")) {
                ps.setInt(1, ring.id);
                ps.setString(2, principal);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        revoked = grantRow(ringName, principal, rs);
                    }
                }
            }
            if (revoked == null) {
                throw new GrantException("principal " + principal + " has no grant on key ring " + ringName, true);
            }
            audit.append(c, AuditEvent.success(actor, "grant.revoke", "ring:" + ringName,
                    Map.of("principal", principal, "operations", names(revoked.operations()))));
            return revoked;
        });
    }

    /**
     * The grants on {@code ringName}, by principal.
     *
     * @throws GrantException when there is no such ring
     */
    public List<Grant> list(String ringName) {
        return db.inTransaction(c -> {
            RingRef ring = ring(c, ringName);
            List<Grant> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("select principal, operations, granted_at, granted_by "
                    + "from pgseal.key_grants where ring_id = ? order by principal")) {
                ps.setInt(1, ring.id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(grantRow(ringName, rs.getString("principal"), rs));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Whether {@code principal} holds a grant for {@code operation} on {@code ringName} (false for
     * an unknown ring or principal: the caller learns nothing more).
     */
    public boolean allows(String principal, String ringName, KeyOperation operation) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("select 1 from pgseal.key_grants g "
                    + "join pgseal.key_rings r on r.id = g.ring_id "
                    + "join pgseal.principals p on p.name = g.principal "
                    + "where r.name = ? and g.principal = ? and p.role = 'APP' and ? = any (g.operations)")) {
                ps.setString(1, ringName);
                ps.setString(2, principal);
                ps.setString(3, operation.displayName());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private record RingRef(int id, KeyType type, boolean deleted) {
    }

    private static RingRef ring(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select id, key_type, deleted_at is not null from pgseal.key_rings "
                + "where name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new GrantException("no key ring named " + name, true);
                }
                return new RingRef(rs.getInt(1), KeyType.parse(rs.getString(2)), rs.getBoolean(3));
            }
        }
    }

    private static String role(Connection c, String principal) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select role from pgseal.principals where name = ?")) {
            ps.setString(1, principal);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Grant grantRow(String ring, String principal, ResultSet rs) throws SQLException {
        Array a = rs.getArray("operations");
        Set<KeyOperation> ops = EnumSet.noneOf(KeyOperation.class);
        for (Object o : (Object[]) a.getArray()) {
            ops.add(KeyOperation.parse((String) o));
        }
        return new Grant(ring, principal, ops, rs.getObject("granted_at", OffsetDateTime.class).toInstant(),
                rs.getString("granted_by"));
    }

    private static String names(Set<KeyOperation> ops) {
        return ops.stream().sorted().map(KeyOperation::displayName).collect(Collectors.joining(", "));
    }
}
