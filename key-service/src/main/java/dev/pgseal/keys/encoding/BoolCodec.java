package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.time.ZoneId;
import java.util.Locale;

/**
 * {@code bool}. Canonical: one byte, 0 or 1. Text input as PostgreSQL's {@code boolin}: any
 * case-insensitive prefix of {@code true}, {@code false}, {@code yes}, {@code no}, at least two
 * letters of {@code on} / {@code off}, or {@code 1} / {@code 0}, with surrounding whitespace.
 * Binary input: any non-zero byte is true. Output {@code t} / {@code f}.
 */
final class BoolCodec extends TypedCodec {

    private static final String PG_NAME = "boolean";

    BoolCodec(LogicalType type) {
        super(type);
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        String s = CanonicalCodecs.trim(text).toLowerCase(Locale.ROOT);
        Boolean value = null;
        if (!s.isEmpty()) {
            if ("true".startsWith(s) || "yes".startsWith(s) || s.equals("1") || (s.length() >= 2 && "on".equals(s))) {
                value = Boolean.TRUE;
            } else if ("false".startsWith(s) || "no".startsWith(s) || s.equals("0") || (s.length() >= 2 && "off".startsWith(s))) {
                value = Boolean.FALSE;
            }
        }
        if (value == null) {
            throw InvalidValueException.syntax(PG_NAME);
        }
        return new byte[] {(byte) (value ? 1 : 0)};
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length != 1) {
            throw InvalidValueException.binary(PG_NAME);
        }
        return new byte[] {(byte) (value[0] != 0 ? 1 : 0)};
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        return value(canonical) ? "t" : "f";
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        return new byte[] {(byte) (value(canonical) ? 1 : 0)};
    }

    private boolean value(byte[] canonical) {
        if (canonical.length != 1 || (canonical[0] & 0xfe) != 0) {
            throw CanonicalCodecs.corrupt(type());
        }
        return canonical[0] == 1;
    }
}
