package dev.pgseal.keys.access;

import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Principals and their bearer tokens in {@code pgseal.principals} and {@code pgseal.access_tokens}.
 *
 * <p>A token reads {@code pgs_<id>_<secret>}: the id (64 random bits, hex) is public and selects the
 * row; the secret is 256 random bits (base64url). Only SHA-256 of the whole text is stored — a slow
 * password hash adds nothing for a value with 256 bits of entropy — and it is compared in constant
 * time. Every check reads the store, so a revocation is effective for the next request on every
 * instance. Creations and revocations are audited in the same transaction as the change.
 */
public final class AccessTokens {

    /** Appends an audit event inside the caller's transaction (the key service's keyed audit log). */
    @FunctionalInterface
    public interface AuditAppender {
        void append(Connection c, AuditEvent event) throws SQLException;
    }

    static final String PREFIX = "pgs_";
    private static final int SECRET_BYTES = 32;
    private static final int ID_BYTES = 8;
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    /** Compared against when the id is unknown, so an unknown id costs what a wrong secret costs. */
    private static final byte[] NO_HASH = new byte[32];

    private final KeyStoreDatabase db;
    private final AuditAppender audit;
    private final SecureRandom random = new SecureRandom();

    /** Tokens in {@code db}, audited through {@code audit}. */
    public AccessTokens(KeyStoreDatabase db, AuditAppender audit) {
        this.db = Objects.requireNonNull(db, "db");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /**
     * Creates a token for {@code principal}, creating the principal with {@code role} when it does
     * not exist yet.
     *
     * @throws AccessException when the name is invalid or the principal exists with another role
     */
    public IssuedToken create(String principal, Role role, String actor) {
        Objects.requireNonNull(role, "role");
        if (principal == null || !NAME.matcher(principal).matches()) {
            throw new AccessException("invalid principal name '" + principal + "': 1 to 64 letters, digits, '.', '_', "
                    + "'@' or '-', starting with a letter or digit");
        }
        byte[] idBytes = new byte[ID_BYTES];
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String text = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        java.util.Arrays.fill(secret, (byte) 0);
        AccessToken saved = audited(actor, "token.create", "principal:" + principal, () -> db.inTransaction(c -> {
            Role existing = principalRole(c, principal);
            if (existing == null) {
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into pgseal.principals (name, role, created_by) values (?, ?, ?)")) {
                    ps.setString(1, principal);
                    ps.setString(2, role.name());
                    ps.setString(3, actor);
                    ps.executeUpdate();
                }
            } else if (existing != role) {
                throw new AccessException("principal " + principal + " exists with role " + existing.displayName()
                        + ", not " + role.displayName() + ": one role per principal (use another name)");
            }
            try (PreparedStatement ps = c.prepareStatement("insert into pgseal.access_tokens (id, principal, token_hash, "
                    + "created_by) values (?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, principal);
                ps.setBytes(3, sha256(text));
                ps.setString(4, actor);
                ps.executeUpdate();
            }
            audit.append(c, AuditEvent.success(actor, "token.create", "token:" + id, details(
                    "principal", principal, "role", role.displayName(), "new_principal", existing == null)));
            return find(c, id);
        }));
        return new IssuedToken(saved, text);
    }

    /** Every token, valid and revoked, oldest first (never a secret). */
    public List<AccessToken> list() {
        return db.inTransaction(c -> {
            List<AccessToken> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + "order by t.created_at, t.id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    /**
     * Revokes a token: from the next request on, on every instance, it no longer authenticates.
     *
     * @throws AccessException when there is no such token or it is already revoked
     */
    public AccessToken revoke(String tokenId, String actor) {
        return audited(actor, "token.revoke", "token:" + tokenId, () -> db.inTransaction(c -> {
            AccessToken t = tokenId == null || !ID.matcher(tokenId).matches() ? null : find(c, tokenId);
            if (t == null) {
                throw AccessException.unknown("no token with id '" + tokenId + "'");
            }
            if (!t.active()) {
                throw new AccessException("token " + tokenId + " was already revoked at " + t.revokedAt());
            }
            try (PreparedStatement ps = c.prepareStatement("update pgseal.access_tokens set revoked_at = now(), "
                    + "revoked_by = ? where id = ? and revoked_at is null")) {
                ps.setString(1, actor);
                ps.setString(2, tokenId);
                ps.executeUpdate();
            }
            audit.append(c, AuditEvent.success(actor, "token.revoke", "token:" + tokenId, details(
                    "principal", t.principal(), "role", t.role().displayName())));
            return find(c, tokenId);
        }));
    }

    /**
     * The client certificates of the same principals, in the same store and audit log: another
     * credential of a principal, with the role the principal has.
     */
    public ClientCertificates clientCertificates() {
        return new ClientCertificates(db, audit, java.time.Clock.systemUTC());
    }

    /** Runs a change; a refusal is audited (in a transaction of its own, the change's rolled back) and rethrown. */
    private <T> T audited(String actor, String action, String object, java.util.function.Supplier<T> change) {
        return audited(db, audit, actor, action, object, change);
    }

    /** As {@link #audited(String, String, String, java.util.function.Supplier)}, for the TOTP enrolments too. */
    static <T> T audited(KeyStoreDatabase db, AuditAppender audit, String actor, String action, String object,
            java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (AccessException e) {
            try {
                db.inTransaction(c -> {
                    audit.append(c, new AuditEvent(actor, action, object, AuditEvent.Outcome.DENIED,
                            details("reason", e.getMessage())));
                    return null;
                });
            } catch (RuntimeException auditFailure) {
                e.addSuppressed(auditFailure);
            }
            throw e;
        }
    }

    /**
     * Checks a bearer token against the store. Reads the store on every call (no cache), so a
     * revocation holds at once.
     *
     * @param bearer the token text as presented, or null when none was
     */
    public Authentication authenticate(String bearer) {
        if (bearer == null || bearer.isEmpty()) {
            return Authentication.refused("no token");
        }
        String[] parts = bearer.split("_", 3);
        if (parts.length != 3 || !(parts[0] + "_").equals(PREFIX) || !ID.matcher(parts[1]).matches()
                || parts[2].length() != 43) {
            return Authentication.refused("malformed token");
        }
        String id = parts[1];
        byte[] presented = sha256(bearer);
        return db.inTransaction(c -> {
            byte[] stored = NO_HASH;
            AccessToken t = null;
            try (PreparedStatement ps = c.prepareStatement(SELECT_WITH_HASH + "where t.id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        t = read(rs);
                        stored = rs.getBytes(8);
                    }
                }
            }
            boolean match = MessageDigest.isEqual(presented, stored); // constant time, also for unknown ids
            if (t == null) {
                return Authentication.refused("unknown token id " + id);
            }
            if (!match) {
                return Authentication.refused("wrong secret for token " + id);
            }
            if (!t.active()) {
                return Authentication.refused("token " + id + " was revoked at " + t.revokedAt());
            }
            return Authentication.ok(new Principal(t.principal(), t.role(), t.id()));
        });
    }

    // ---------------------------------------------------------------- rows

    private static final String SELECT = "select t.id, t.principal, p.role, t.created_at, t.created_by, t.revoked_at, "
            + "t.revoked_by from pgseal.access_tokens t join pgseal.principals p on p.name = t.principal ";
    private static final String SELECT_WITH_HASH = "select t.id, t.principal, p.role, t.created_at, t.created_by, "
            + "t.revoked_at, t.revoked_by, t.token_hash from pgseal.access_tokens t "
            + "join pgseal.principals p on p.name = t.principal ";

    private static AccessToken find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "where t.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    static Role principalRole(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select role from pgseal.principals where name = ? for update")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Role.valueOf(rs.getString(1)) : null;
            }
        }
    }

    private static AccessToken read(ResultSet rs) throws SQLException {
        return new AccessToken(rs.getString(1), rs.getString(2), Role.valueOf(rs.getString(3)), instant(rs, 4),
                rs.getString(5), instant(rs, 6), rs.getString(7));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static Map<String, Object> details(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
