package dev.pgseal.keys.access;

import java.util.Objects;

/**
 * A token just created: the only moment its secret text exists outside the caller's hands. It is
 * not stored (only its SHA-256 is), so it is shown once and never again. {@link #toString()} does
 * not print the secret: reading it takes an explicit {@link #secretText()}.
 *
 * @param metadata what the store keeps about it
 */
public record IssuedToken(AccessToken metadata, String secretText) {
    public IssuedToken {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(secretText, "secretText");
    }

    @Override
    public String toString() {
        return "IssuedToken[" + metadata + ", secret not shown]";
    }
}
