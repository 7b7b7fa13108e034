package dev.pgseal.keys.access;

import java.util.Optional;

/**
 * The outcome of checking a bearer token or a client certificate: the principal, or why the
 * credential was refused. The reason goes to the audit log only; callers tell the client no more than
 * "invalid credentials", so a client cannot learn whether a token id exists or was revoked.
 *
 * @param principal the authenticated principal, or null
 * @param failure why the token was refused (missing, malformed, unknown, wrong secret, revoked), or null
 */
public record Authentication(Principal principal, String failure) {

    public Authentication {
        if ((principal == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of principal and failure");
        }
    }

    static Authentication ok(Principal p) {
        return new Authentication(p, null);
    }

    static Authentication refused(String reason) {
        return new Authentication(null, reason);
    }

    /** The principal when authenticated. */
    public Optional<Principal> authenticated() {
        return Optional.ofNullable(principal);
    }
}
