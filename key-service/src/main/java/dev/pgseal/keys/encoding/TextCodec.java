package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.LogicalType.Kind;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

/**
 * {@code text}, {@code varchar(n)} and {@code char(n)}. Canonical: UTF-8. Text and binary formats
 * carry the same characters. {@code varchar(n)} and {@code char(n)} refuse more than n characters
 * (22001) unless the excess is spaces, which are cut, as PostgreSQL does. {@code char(n)} compares
 * without trailing spaces in PostgreSQL, so its canonical form drops them and output pads to n.
 */
final class TextCodec extends TypedCodec {

    private final boolean blankPadded;
    private final int maxLength; // in characters; 0 = none

    TextCodec(LogicalType type) {
        super(type);
        this.blankPadded = type.kind() == Kind.CHAR;
        this.maxLength = type.length().isPresent() ? type.length().getAsInt() : 0;
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        if (text.indexOf('\0') >= 0) {
            throw CanonicalCodecs.invalidUtf8();
        }
        String s = text;
        if (maxLength > 0 && s.codePointCount(0, s.length()) > maxLength) {
            int cut = s.offsetByCodePoints(0, maxLength);
            for (int i = cut; i < s.length(); i++) {
                if (s.charAt(i) != ' ') {
                    throw new InvalidValueException(InvalidValueException.STRING_DATA_RIGHT_TRUNCATION,
                            "value too long for type " + (blankPadded ? "character" : "character varying") + "(" + maxLength + ")");
                }
            }
            s = s.substring(0, cut);
        }
        if (blankPadded) {
            int end = s.length();
            while (end > 0 && s.charAt(end - 1) == ' ') {
                end--;
            }
            s = s.substring(0, end);
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        return fromText(CanonicalCodecs.decodeUtf8(value), null);
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        String s = new String(canonical, StandardCharsets.UTF_8);
        if (blankPadded && maxLength > 0) {
            int missing = maxLength - s.codePointCount(0, s.length());
            if (missing > 0) {
                s = s + " ".repeat(missing);
            }
        }
        return s;
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        return blankPadded && maxLength > 0 ? toText(canonical, null).getBytes(StandardCharsets.UTF_8) : canonical.clone();
    }
}
