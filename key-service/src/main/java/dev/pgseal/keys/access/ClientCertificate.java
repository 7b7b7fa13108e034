package dev.pgseal.keys.access;

import java.time.Instant;
import java.util.Objects;

/**
 * A client certificate registered to a principal of the admin API. Only the fingerprint decides
 * who a certificate authenticates; the other fields are copies for people reading a listing.
 *
 * @param fingerprint SHA-256 of the DER certificate, 64 lower-case hex digits
 * @param principal the principal it authenticates
 * @param role the principal's role
 * @param subject the certificate's subject (RFC 2253)
 * @param issuer the certificate's issuer (RFC 2253)
 * @param serial the certificate's serial number, hex
 * @param notAfter the end of the certificate's validity
 * @param createdAt when it was registered
 * @param createdBy who registered it
 */
public record ClientCertificate(String fingerprint, String principal, Role role, String subject, String issuer,
        String serial, Instant notAfter, Instant createdAt, String createdBy) {
    public ClientCertificate {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** The short id shown in audit events ({@code cert:} and the fingerprint's first 16 hex digits). */
    public String credentialId() {
        return ClientCertificates.credentialId(fingerprint);
    }
}
