package dev.pgseal.keys.access;

import java.util.Objects;

/**
 * An authenticated caller of the admin API: the name recorded as the actor of every audit event it
 * causes, and its role.
 *
 * @param name the principal's name, e.g. {@code alice}
 * @param role what it may do
 * @param tokenId how it authenticated: the public id of the bearer token it presented, or
 *     {@code cert:} and the first 16 hex digits of its client certificate's SHA-256 fingerprint
 */
public record Principal(String name, Role role, String tokenId) {
    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(tokenId, "tokenId");
    }
}
