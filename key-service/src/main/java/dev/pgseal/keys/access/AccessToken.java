package dev.pgseal.keys.access;

import java.time.Instant;
import java.util.Objects;

/**
 * What the store knows about a token: never the token itself, only its public id and whose it is.
 *
 * @param id the public part of the token (16 hex digits), used to list and revoke it
 * @param principal the principal it authenticates
 * @param role the principal's role
 * @param createdAt when it was created
 * @param createdBy who created it
 * @param revokedAt when it was revoked, or null while valid
 * @param revokedBy who revoked it, or null
 */
public record AccessToken(String id, String principal, Role role, Instant createdAt, String createdBy,
        Instant revokedAt, String revokedBy) {
    public AccessToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the token still authenticates. */
    public boolean active() {
        return revokedAt == null;
    }
}
