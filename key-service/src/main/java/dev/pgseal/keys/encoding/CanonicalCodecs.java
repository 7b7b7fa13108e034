package dev.pgseal.keys.encoding;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Chooses the codec of a logical type; also the small text helpers every codec shares. */
public final class CanonicalCodecs {

    private CanonicalCodecs() {
    }

    /** See {@link CanonicalCodec#forType(LogicalType)}. */
    public static CanonicalCodec forType(LogicalType type) {
        return create(type, false);
    }

    /** See {@link CanonicalCodec#forColumn(LogicalType, EncryptionMode)}. */
    public static CanonicalCodec forColumn(LogicalType type, EncryptionMode mode) {
        return mode == EncryptionMode.RANDOMIZED && type.kind() == LogicalType.Kind.NUMERIC
                ? create(type, true)
                : create(type, false);
    }

    private static CanonicalCodec create(LogicalType type, boolean keepDisplay) {
        return switch (type.kind()) {
            case TEXT, VARCHAR, CHAR -> new TextCodec(type);
            case INT2 -> new IntegerCodec(type, 2, "smallint");
            case INT4 -> new IntegerCodec(type, 4, "integer");
            case INT8 -> new IntegerCodec(type, 8, "bigint");
            case NUMERIC -> new NumericCodec(type, keepDisplay);
            case FLOAT8 -> new Float8Codec(type);
            case BOOL -> new BoolCodec(type);
            case DATE -> new DateCodec(type);
            case TIMESTAMP -> new TimestampCodec(type, false);
            case TIMESTAMPTZ -> new TimestampCodec(type, true);
            case UUID -> new UuidCodec(type);
            case BYTEA -> new ByteaCodec(type);
            case JSONB -> new JsonbCodec(type);
        };
    }

    /**
     * Strict UTF-8 decoding of a text-format wire value.
     *
     * @throws InvalidValueException 22021 on a malformed sequence or a NUL byte (PostgreSQL text
     *     never contains one)
     */
    public static String decodeUtf8(byte[] utf8) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
            if (s.indexOf('\0') >= 0) {
                throw invalidUtf8();
            }
            return s;
        } catch (CharacterCodingException e) {
            throw invalidUtf8();
        }
    }

    static InvalidValueException invalidUtf8() {
        return new InvalidValueException(InvalidValueException.CHARACTER_NOT_IN_REPERTOIRE,
                "invalid byte sequence for encoding \"UTF8\"");
    }

    /** PostgreSQL's {@code isspace}: space, tab, newline, vertical tab, form feed, carriage return. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** Removes leading and trailing {@link #isSpace} characters. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    static byte[] longBytes(long v, int width) {
        byte[] out = new byte[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = (byte) v;
            v >>= 8;
        }
        return out;
    }

    static long readLong(byte[] b, int offset, int width) {
        long v = b[offset]; // sign-extends the first byte
        for (int i = 1; i < width; i++) {
            v = (v << 8) | (b[offset + i] & 0xff);
        }
        return v;
    }

    static IllegalArgumentException corrupt(LogicalType type) {
        return new IllegalArgumentException("not a canonical " + type + " value");
    }
}
