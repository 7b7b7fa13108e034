package dev.pgseal.keys;

import dev.pgseal.keys.encoding.CanonicalCodecs;
import dev.pgseal.policy.LogicalType;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The canonical encoding of one logical type: the bytes pgseal encrypts. In a codec from
 * {@link #forType}, equal values of the type (as PostgreSQL's equality operator sees them) have
 * equal canonical bytes however the client wrote them ({@code 42}, {@code 042}, {@code ' 42'} or
 * binary int4), so deterministic ciphertexts match; {@link #forColumn} gives randomized columns an
 * encoding that also keeps what PostgreSQL prints but does not compare ({@code numeric}'s scale). Decoding prints what PostgreSQL would print for the type (ISO DateStyle, hex bytea,
 * shortest round-trip float8).
 *
 * <p>Time zones: a {@code timestamptz} written without an offset is read in the session's zone and
 * printed in it, as PostgreSQL does; the proxy passes the session's {@code TimeZone} parameter.
 * Methods without a zone use UTC.
 *
 * <p>Errors: invalid input throws {@link InvalidValueException} with PostgreSQL's SQLSTATE. A
 * canonical value that does not decode is an internal error ({@link IllegalArgumentException}).
 * Instances are immutable and thread-safe. See {@code docs/crypto.md} for each type's encoding.
 */
public interface CanonicalCodec {

    /**
     * The codec for {@code type} whose encoding is its <em>equality form</em>: values PostgreSQL's
     * equality operator calls equal have equal bytes. Deterministic columns encrypt this form. It
     * decodes every encoding of the type, including {@link #forColumn}'s.
     */
    static CanonicalCodec forType(LogicalType type) {
        return CanonicalCodecs.forType(type);
    }

    /**
     * The codec that encodes values of a column of {@code type} encrypted in {@code mode}.
     * Deterministic columns get {@link #forType}'s equality form. Randomized columns keep what
     * PostgreSQL keeps of a value although its equality ignores it — today only {@code numeric}'s
     * display scale ({@code 1.50} stays {@code 1.50}) — since their ciphertexts never compare.
     * Both codecs decode both encodings, so which one wrote a value does not matter when reading.
     */
    static CanonicalCodec forColumn(LogicalType type, EncryptionMode mode) {
        return CanonicalCodecs.forColumn(type, mode);
    }

    /** The logical type this codec encodes. */
    LogicalType type();

    /** Canonical bytes from the type's text representation (a Bind text parameter or a literal). */
    byte[] fromText(String text, ZoneId sessionZone);

    /** {@link #fromText(String, ZoneId)} in UTC. */
    default byte[] fromText(String text) {
        return fromText(text, ZoneOffset.UTC);
    }

    /** Canonical bytes from the type's binary receive format. */
    byte[] fromBinary(byte[] value);

    /** The text PostgreSQL would print for the value, in {@code sessionZone} where that matters. */
    String toText(byte[] canonical, ZoneId sessionZone);

    /** {@link #toText(byte[], ZoneId)} in UTC. */
    default String toText(byte[] canonical) {
        return toText(canonical, ZoneOffset.UTC);
    }

    /** The type's binary send format. */
    byte[] toBinary(byte[] canonical);

    /** Canonical bytes from a wire value in either format (text is decoded as strict UTF-8). */
    default byte[] fromWire(byte[] value, WireFormat format, ZoneId sessionZone) {
        return format == WireFormat.BINARY ? fromBinary(value) : fromText(CanonicalCodecs.decodeUtf8(value), sessionZone);
    }

    /** The wire value for the client in {@code format} (text is encoded as UTF-8). */
    default byte[] toWire(byte[] canonical, WireFormat format, ZoneId sessionZone) {
        return format == WireFormat.BINARY
                ? toBinary(canonical)
                : toText(canonical, sessionZone).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
