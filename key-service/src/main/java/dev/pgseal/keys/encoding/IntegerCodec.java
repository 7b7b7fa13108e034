package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.time.ZoneId;

/**
 * {@code int2}, {@code int4}, {@code int8}. Canonical: the binary send format, big-endian two's
 * complement of the type's width. Text input as PostgreSQL 14/15 reads it: surrounding whitespace,
 * an optional sign, ASCII decimal digits (leading zeros allowed).
 */
final class IntegerCodec extends TypedCodec {

    private final int width;
    private final String pgName;
    private final long min;
    private final long max;

    IntegerCodec(LogicalType type, int width, String pgName) {
        super(type);
        this.width = width;
        this.pgName = pgName;
        this.min = width == 8 ? Long.MIN_VALUE : -(1L << (8 * width - 1));
        this.max = width == 8 ? Long.MAX_VALUE : (1L << (8 * width - 1)) - 1;
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        String s = CanonicalCodecs.trim(text);
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (start == s.length()) {
            throw InvalidValueException.syntax(pgName);
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw InvalidValueException.syntax(pgName);
            }
        }
        long v;
        try {
            v = Long.parseLong(s); // digits checked above: a failure here is overflow
        } catch (NumberFormatException e) {
            throw InvalidValueException.outOfRange(pgName);
        }
        if (v < min || v > max) {
            throw InvalidValueException.outOfRange(pgName);
        }
        return CanonicalCodecs.longBytes(v, width);
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length != width) {
            throw InvalidValueException.binary(pgName);
        }
        return value.clone();
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        check(canonical);
        return Long.toString(CanonicalCodecs.readLong(canonical, 0, width));
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        check(canonical);
        return canonical.clone();
    }

    private void check(byte[] canonical) {
        if (canonical.length != width) {
            throw CanonicalCodecs.corrupt(type());
        }
    }
}
