package dev.pgseal.keys.access;

import java.util.Objects;

/**
 * A TOTP enrolment just made: the only moment its secret exists outside the key store, where it is
 * kept wrapped under the master key. It is shown once, to be put in an authenticator app. {@link
 * #toString()} prints neither the secret nor the URI (which holds it).
 *
 * @param enrollment what the store keeps about it
 * @param secretBase32 the secret in base32 (RFC 4648, no padding), for typing into an app
 * @param otpauthUri the {@code otpauth://totp/…} URI (holds the secret), for a QR code or a paste
 */
public record IssuedTotp(TotpEnrollment enrollment, String secretBase32, String otpauthUri) {
    public IssuedTotp {
        Objects.requireNonNull(enrollment, "enrollment");
        Objects.requireNonNull(secretBase32, "secretBase32");
        Objects.requireNonNull(otpauthUri, "otpauthUri");
    }

    @Override
    public String toString() {
        return "IssuedTotp[" + enrollment + ", secret not shown]";
    }
}
