package dev.pgseal.keys.access;

import dev.pgseal.keys.access.AccessTokens.AuditAppender;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Client certificates of the admin API's principals, in {@code pgseal.principal_certificates}.
 *
 * <p>A certificate is known by the SHA-256 fingerprint of its DER encoding. The TLS handshake checks
 * it against the CAs of {@code admin.tls.client_ca} (PKIX, expiry included); {@link #authenticate}
 * then says whose it is, and only a registered fingerprint authenticates anyone: a certificate the
 * CA issued but nobody registered grants nothing. Every check reads the store, so a revocation
 * (which deletes the registration) holds for the next request on every instance. Registrations and
 * revocations are audited ({@code certificate.add}, {@code certificate.revoke}) in the same
 * transaction as the change; refusals are audited too.
 */
public final class ClientCertificates {

    /** A revocation may name a certificate by a fingerprint prefix this long at least (the audit id's). */
    private static final Pattern FINGERPRINT_PREFIX = Pattern.compile("[0-9a-f]{16,64}");

    private final KeyStoreDatabase db;
    private final AuditAppender audit;
    private final Clock clock;

    ClientCertificates(KeyStoreDatabase db, AuditAppender audit, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** SHA-256 of the DER certificate, 64 lower-case hex digits. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new AccessException("the certificate cannot be encoded: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The id of a certificate login in audit events: {@code cert:} and the fingerprint's first 16 hex digits. */
    public static String credentialId(String fingerprint) {
        return "cert:" + fingerprint.substring(0, 16);
    }

    /**
     * Registers {@code certificate} to {@code principal}, creating the principal with {@code role}
     * when it does not exist yet (as a token creation does).
     *
     * @throws AccessException (audited) when the name is invalid, the principal exists with another
     *     role, the certificate has expired or is not valid yet, or it is registered already
     */
    public ClientCertificate register(String principal, Role role, X509Certificate certificate, String actor) {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(certificate, "certificate");
        String fp = fingerprint(certificate);
        return AccessTokens.audited(db, audit, actor, "certificate.add", credentialId(fp), () -> {
            if (principal == null || !AccessTokens.NAME.matcher(principal).matches()) {
                throw new AccessException("invalid principal name '" + principal + "': 1 to 64 letters, digits, '.', "
                        + "'_', '@' or '-', starting with a letter or digit");
            }
            try {
                certificate.checkValidity(java.util.Date.from(clock.instant()));
            } catch (CertificateExpiredException e) {
                throw new AccessException("the certificate of " + certificate.getSubjectX500Principal().getName()
                        + " expired at " + certificate.getNotAfter().toInstant());
            } catch (CertificateNotYetValidException e) {
                throw new AccessException("the certificate of " + certificate.getSubjectX500Principal().getName()
                        + " is not valid before " + certificate.getNotBefore().toInstant());
            }
            return db.inTransaction(c -> {
                Role existing = AccessTokens.principalRole(c, principal);
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
                ClientCertificate already = find(c, fp);
                if (already != null) {
                    throw new AccessException("certificate " + fp + " is registered already, to " + already.principal()
                            + " (revoke it first to move it)");
                }
                try (PreparedStatement ps = c.prepareStatement("insert into pgseal.principal_certificates (fingerprint, "
                        + "principal, subject, issuer, serial, not_after, created_by) values (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, fp);
                    ps.setString(2, principal);
                    ps.setString(3, certificate.getSubjectX500Principal().getName());
                    ps.setString(4, certificate.getIssuerX500Principal().getName());
                    ps.setString(5, certificate.getSerialNumber().toString(16));
                    ps.setTimestamp(6, Timestamp.from(certificate.getNotAfter().toInstant()));
                    ps.setString(7, actor);
                    ps.executeUpdate();
                }
                audit.append(c, AuditEvent.success(actor, "certificate.add", credentialId(fp), AccessTokens.details(
                        "principal", principal, "role", role.displayName(), "fingerprint", fp, "subject",
                        certificate.getSubjectX500Principal().getName(), "issuer",
                        certificate.getIssuerX500Principal().getName(), "new_principal", existing == null)));
                return find(c, fp);
            });
        });
    }

    /** Every registered certificate, oldest registration first. */
    public List<ClientCertificate> list() {
        return db.inTransaction(c -> {
            List<ClientCertificate> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + "order by k.created_at, k.fingerprint");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    /**
     * Deletes a registration: from the next request on, on every instance, the certificate
     * authenticates nobody (the TLS handshake may still succeed; the CA cannot be told to forget it).
     *
     * @param fingerprint the full fingerprint, or a prefix of 16 hex digits at least (colons and case
     *     are ignored), matching exactly one registration
     * @throws AccessException (audited) when nothing or more than one registration matches
     */
    public ClientCertificate revoke(String fingerprint, String actor) {
        String wanted = fingerprint == null ? "" : fingerprint.replace(":", "").strip().toLowerCase(Locale.ROOT);
        String object = wanted.length() >= 16 ? "cert:" + wanted.substring(0, 16) : "cert:" + wanted;
        return AccessTokens.audited(db, audit, actor, "certificate.revoke", object, () -> db.inTransaction(c -> {
            if (!FINGERPRINT_PREFIX.matcher(wanted).matches()) {
                throw AccessException.unknown("no certificate with fingerprint '" + fingerprint + "' (give 16 to 64 "
                        + "hex digits of its SHA-256 fingerprint)");
            }
            List<ClientCertificate> matches = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + "where k.fingerprint like ? for update of k")) {
                ps.setString(1, wanted + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        matches.add(read(rs));
                    }
                }
            }
            if (matches.isEmpty()) {
                throw AccessException.unknown("no certificate registered with fingerprint " + wanted);
            }
            if (matches.size() > 1) {
                throw new AccessException("fingerprint prefix " + wanted + " matches " + matches.size()
                        + " certificates: give more digits");
            }
            ClientCertificate k = matches.get(0);
            try (PreparedStatement ps = c.prepareStatement(
                    "delete from pgseal.principal_certificates where fingerprint = ?")) {
                ps.setString(1, k.fingerprint());
                ps.executeUpdate();
            }
            audit.append(c, AuditEvent.success(actor, "certificate.revoke", k.credentialId(), AccessTokens.details(
                    "principal", k.principal(), "role", k.role().displayName(), "fingerprint", k.fingerprint(),
                    "subject", k.subject())));
            return k;
        }));
    }

    /**
     * Says whose a certificate is. The caller passes only a certificate the TLS handshake verified
     * (PKIX against {@code admin.tls.client_ca}); this checks, again, that it is within its validity
     * period now (a kept-alive connection can outlive it) and reads the registration on every call,
     * so a revocation holds at once.
     *
     * @param verified the client's certificate as verified in the handshake
     */
    public Authentication authenticate(X509Certificate verified) {
        if (verified == null) {
            return Authentication.refused("no client certificate");
        }
        String fp = fingerprint(verified);
        String id = credentialId(fp);
        try {
            verified.checkValidity(java.util.Date.from(clock.instant()));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            return Authentication.refused("client certificate " + id + " is outside its validity period ("
                    + verified.getNotBefore().toInstant() + " to " + verified.getNotAfter().toInstant() + ")");
        }
        return db.inTransaction(c -> {
            ClientCertificate k = find(c, fp);
            if (k == null) {
                return Authentication.refused("client certificate " + id + " (" + verified.getSubjectX500Principal()
                        .getName() + ") is not registered to any principal");
            }
            return Authentication.ok(new Principal(k.principal(), k.role(), id));
        });
    }

    // ---------------------------------------------------------------- rows

    private static final String SELECT = "select k.fingerprint, k.principal, p.role, k.subject, k.issuer, k.serial, "
            + "k.not_after, k.created_at, k.created_by from pgseal.principal_certificates k "
            + "join pgseal.principals p on p.name = k.principal ";

    private static ClientCertificate find(Connection c, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "where k.fingerprint = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    private static ClientCertificate read(ResultSet rs) throws SQLException {
        return new ClientCertificate(rs.getString(1), rs.getString(2), Role.valueOf(rs.getString(3)), rs.getString(4),
                rs.getString(5), rs.getString(6), instant(rs, 7), instant(rs, 8), rs.getString(9));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
