package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

/**
 * {@code bytea}. Canonical: the raw bytes (the binary format). Text input in both of PostgreSQL's
 * formats: hex ({@code \x} then digit pairs, whitespace allowed between pairs) and escape
 * (backslash-backslash, backslash and three octal digits, other characters as their UTF-8 bytes).
 * Output in hex format, PostgreSQL's default {@code bytea_output}.
 */
final class ByteaCodec extends TypedCodec {

    private static final String PG_NAME = "bytea";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    ByteaCodec(LogicalType type) {
        super(type);
    }

    @Override
    public byte[] fromText(String s, ZoneId sessionZone) {
        if (s.startsWith("\\x")) {
            return fromHex(s);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\\') {
                int end = i;
                while (end < s.length() && s.charAt(end) != '\\') {
                    end++;
                }
                byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
                i = end;
            } else if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                out.write('\\');
                i += 2;
            } else if (i + 3 < s.length() && isOctal(s.charAt(i + 1), '3') && isOctal(s.charAt(i + 2), '7')
                    && isOctal(s.charAt(i + 3), '7')) {
                out.write((s.charAt(i + 1) - '0') << 6 | (s.charAt(i + 2) - '0') << 3 | (s.charAt(i + 3) - '0'));
                i += 4;
            } else {
                throw InvalidValueException.syntax(PG_NAME);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(char c, char max) {
        return c >= '0' && c <= max;
    }

    private static byte[] fromHex(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() / 2);
        int i = 2;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                i++;
                continue;
            }
            int hi = hexDigit(c);
            if (i + 1 >= s.length()) {
                throw new InvalidValueException(InvalidValueException.INVALID_PARAMETER_VALUE,
                        "invalid hexadecimal data: odd number of digits");
            }
            int lo = hexDigit(s.charAt(i + 1));
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toByteArray();
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new InvalidValueException(InvalidValueException.INVALID_PARAMETER_VALUE, "invalid hexadecimal digit");
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        return value.clone();
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        char[] out = new char[2 + 2 * canonical.length];
        out[0] = '\\';
        out[1] = 'x';
        for (int i = 0; i < canonical.length; i++) {
            out[2 + 2 * i] = HEX[(canonical[i] >> 4) & 0xf];
            out[3 + 2 * i] = HEX[canonical[i] & 0xf];
        }
        return new String(out);
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        return canonical.clone();
    }
}
