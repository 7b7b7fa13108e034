package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.time.ZoneId;

/**
 * {@code uuid}. Canonical: the 16 bytes (the binary format). Text input as PostgreSQL's
 * {@code uuid_in}: 32 hex digits of either case, optionally in braces, with an optional hyphen
 * after any group of four digits. Output: lower case, 8-4-4-4-12.
 */
final class UuidCodec extends TypedCodec {

    private static final String PG_NAME = "uuid";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    UuidCodec(LogicalType type) {
        super(type);
    }

    @Override
    public byte[] fromText(String s, ZoneId sessionZone) {
        int pos = 0;
        boolean braces = !s.isEmpty() && s.charAt(0) == '{';
        if (braces) {
            pos++;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 16; i++) {
            if (pos + 2 > s.length()) {
                throw InvalidValueException.syntax(PG_NAME);
            }
            int hi = Character.digit(s.charAt(pos), 16);
            int lo = Character.digit(s.charAt(pos + 1), 16);
            if (hi < 0 || lo < 0 || s.charAt(pos) > 'f' || s.charAt(pos + 1) > 'f') {
                throw InvalidValueException.syntax(PG_NAME);
            }
            out[i] = (byte) (hi << 4 | lo);
            pos += 2;
            if (i % 2 == 1 && i < 15 && pos < s.length() && s.charAt(pos) == '-') {
                pos++;
            }
        }
        if (braces) {
            if (pos >= s.length() || s.charAt(pos) != '}') {
                throw InvalidValueException.syntax(PG_NAME);
            }
            pos++;
        }
        if (pos != s.length()) {
            throw InvalidValueException.syntax(PG_NAME);
        }
        return out;
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length != 16) {
            throw InvalidValueException.binary(PG_NAME);
        }
        return value.clone();
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        check(canonical);
        StringBuilder sb = new StringBuilder(36);
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                sb.append('-');
            }
            sb.append(HEX[(canonical[i] >> 4) & 0xf]).append(HEX[canonical[i] & 0xf]);
        }
        return sb.toString();
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        check(canonical);
        return canonical.clone();
    }

    private void check(byte[] canonical) {
        if (canonical.length != 16) {
            throw CanonicalCodecs.corrupt(type());
        }
    }
}
