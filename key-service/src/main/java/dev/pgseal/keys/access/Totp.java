package dev.pgseal.keys.access;

import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238): HOTP (RFC 4226) over the number of whole time steps
 * since the Unix epoch. Parameters only, no secret: the secret is passed to each call as
 * {@link SecretBytes}. Immutable and thread-safe.
 *
 * <p>pgseal's second factor uses {@link #DEFAULT} (HMAC-SHA1, 6 digits, 30 s), which is what every
 * authenticator app reads from an {@code otpauth://} URI; other parameters exist so the RFC's own
 * test vectors (8 digits, SHA-256 and SHA-512) can be checked.
 */
public final class Totp {

    // Before DEFAULT: create() reads them during class initialisation.
    private static final Set<String> ALGORITHMS = Set.of("HmacSHA1", "HmacSHA256", "HmacSHA512");
    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /** HMAC-SHA1, 6 digits, 30-second steps: the parameters authenticator apps assume. */
    public static final Totp DEFAULT = create("HmacSHA1", 6, Duration.ofSeconds(30));

    private final String algorithm;
    private final int digits;
    private final long stepSeconds;

    private Totp(String algorithm, int digits, long stepSeconds) {
        this.algorithm = algorithm;
        this.digits = digits;
        this.stepSeconds = stepSeconds;
    }

    /**
     * Validated parameters.
     *
     * @param hmacAlgorithm {@code HmacSHA1}, {@code HmacSHA256} or {@code HmacSHA512}
     * @param digits 6 to 8
     * @param step a whole number of seconds, at least 1
     * @throws IllegalArgumentException naming what is accepted
     */
    public static Totp create(String hmacAlgorithm, int digits, Duration step) {
        if (!ALGORITHMS.contains(hmacAlgorithm)) {
            throw new IllegalArgumentException("TOTP algorithm must be HmacSHA1, HmacSHA256 or HmacSHA512, not "
                    + hmacAlgorithm);
        }
        if (digits < 6 || digits > 8) {
            throw new IllegalArgumentException("TOTP codes have 6 to 8 digits, not " + digits);
        }
        if (step.isNegative() || step.getSeconds() < 1 || step.getNano() != 0) {
            throw new IllegalArgumentException("a TOTP step is a whole number of seconds, at least 1, not " + step);
        }
        return new Totp(hmacAlgorithm, digits, step.getSeconds());
    }

    /** The number of digits of a code. */
    public int digits() {
        return digits;
    }

    /** The length of one time step. */
    public Duration step() {
        return Duration.ofSeconds(stepSeconds);
    }

    /** The algorithm as an {@code otpauth://} URI names it: {@code SHA1}, {@code SHA256} or {@code SHA512}. */
    public String uriAlgorithm() {
        return algorithm.substring(4);
    }

    /** The time step {@code t} falls in: whole steps since 1970-01-01T00:00:00Z. */
    public long stepAt(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), stepSeconds);
    }

    /** When time step {@code step} begins. */
    public Instant startOf(long step) {
        return Instant.ofEpochSecond(step * stepSeconds);
    }

    /** The code of time step {@code step}, zero-padded to {@link #digits()} digits. */
    public String code(SecretBytes secret, long step) {
        byte[] mac;
        try {
            Mac hmac = Mac.getInstance(algorithm);
            hmac.init(new SecretKeySpec(secret.reveal(SecretAccess.INSTANCE), algorithm));
            mac = hmac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
        // RFC 4226 section 5.3: dynamic truncation.
        int offset = mac[mac.length - 1] & 0x0f;
        int binary = (mac[offset] & 0x7f) << 24 | (mac[offset + 1] & 0xff) << 16 | (mac[offset + 2] & 0xff) << 8
                | (mac[offset + 3] & 0xff);
        String text = Integer.toString(binary % POWERS[digits]);
        return "0".repeat(digits - text.length()) + text;
    }

    /** Whether {@code presented} is the code of {@code step}, compared in constant time. */
    public boolean matches(SecretBytes secret, long step, String presented) {
        byte[] expected = code(secret, step).getBytes(StandardCharsets.US_ASCII);
        byte[] given = presented == null ? new byte[0] : presented.getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    /** Whether {@code text} has the shape of a code: exactly {@link #digits()} ASCII digits. */
    public boolean wellFormed(String text) {
        if (text == null || text.length() != digits) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code otpauth://totp/…} URI that authenticator apps read (as text or a QR code), per the
     * Key Uri Format: label {@code issuer:account}, the secret in base32 without padding, and the
     * parameters.
     */
    public String uri(String issuer, String account, SecretBytes secret) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(account, "account");
        String label = percent(issuer) + ":" + percent(account);
        return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret.reveal(SecretAccess.INSTANCE))
                + "&issuer=" + percent(issuer) + "&algorithm=" + uriAlgorithm() + "&digits=" + digits
                + "&period=" + stepSeconds;
    }

    /** The secret in base32 (RFC 4648, upper case, no padding), as people type it into an authenticator. */
    public static String base32(SecretBytes secret) {
        return Base32.encode(secret.reveal(SecretAccess.INSTANCE));
    }

    /**
     * Reads a base32 secret as an authenticator app does (case, spaces and padding ignored).
     *
     * @throws IllegalArgumentException when it is not base32
     */
    public static SecretBytes parseBase32(String text) {
        byte[] b = Base32.decode(text);
        try {
            return SecretBytes.copyOf(b, SecretAccess.INSTANCE);
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters. */
    private static String percent(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "Totp[" + algorithm + ", " + digits + " digits, " + stepSeconds + " s]";
    }
}
