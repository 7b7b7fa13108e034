package dev.pgseal.keys.encoding;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jsonb}. Canonical: the text PostgreSQL's {@code jsonb_out} prints, in UTF-8: object keys
 * ordered as jsonb stores them (shorter first, then bytewise), the last of duplicate keys kept,
 * {@code ", "} and {@code ": "} separators, strings escaped as {@code escape_json} does, numbers
 * printed as {@code numeric} prints them ({@code 1e2} is {@code 100}, {@code 1.50} stays
 * {@code 1.50}). So any spacing or key order gives the same bytes. Not folded: numbers equal in
 * value but not in scale ({@code 1.0} and {@code 1}), which jsonb's equality treats as equal.
 * Binary format: version byte 1, then the text.
 */
final class JsonbCodec extends TypedCodec {

    private static final String PG_NAME = "json";
    private static final JsonFactory JSON = JsonFactory.builder().build();

    JsonbCodec(LogicalType type) {
        super(type);
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        Object value;
        try (JsonParser parser = JSON.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw InvalidValueException.syntax(PG_NAME);
            }
            value = read(parser, first);
            if (parser.nextToken() != null) {
                throw InvalidValueException.syntax(PG_NAME);
            }
        } catch (StreamConstraintsException e) {
            throw new InvalidValueException(InvalidValueException.INVALID_TEXT_REPRESENTATION,
                    "jsonb value exceeds a parser limit");
        } catch (IOException e) {
            throw InvalidValueException.syntax(PG_NAME);
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        write(out, value);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Object read(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String key = checkedString(p.currentName());
                    object.remove(key); // the last duplicate wins
                    object.put(key, read(p, p.nextToken()));
                }
                return object;
            }
            case START_ARRAY: {
                List<Object> array = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(read(p, t));
                }
                return array;
            }
            case VALUE_STRING:
                return checkedString(p.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getDecimalValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw InvalidValueException.syntax(PG_NAME);
        }
    }

    private static String checkedString(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                throw new InvalidValueException(InvalidValueException.UNTRANSLATABLE_CHARACTER,
                        "unsupported Unicode escape sequence in jsonb: \\u0000 cannot be converted to text");
            }
            if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                throw InvalidValueException.syntax(PG_NAME);
            }
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof BigDecimal d) {
            out.append(d.signum() == 0 && d.scale() <= 0 ? "0" : d.setScale(Math.max(0, d.scale())).toPlainString());
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(out, list.get(i));
            }
            out.append(']');
        } else {
            Map<String, Object> object = (Map<String, Object>) value;
            byte[][] keys = new byte[object.size()][];
            int n = 0;
            for (String k : object.keySet()) {
                keys[n++] = k.getBytes(StandardCharsets.UTF_8);
            }
            Arrays.sort(keys, (a, b) -> a.length != b.length ? Integer.compare(a.length, b.length) : Arrays.compareUnsigned(a, b));
            out.append('{');
            for (int i = 0; i < keys.length; i++) {
                if (i > 0) {
                    out.append(", ");
                }
                String key = new String(keys[i], StandardCharsets.UTF_8);
                writeString(out, key);
                out.append(": ");
                write(out, object.get(key));
            }
            out.append('}');
        }
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length < 1 || value[0] != 1) {
            throw new InvalidValueException(InvalidValueException.INVALID_BINARY_REPRESENTATION,
                    "unsupported jsonb version number");
        }
        return fromText(CanonicalCodecs.decodeUtf8(Arrays.copyOfRange(value, 1, value.length)), null);
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        return new String(canonical, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        byte[] out = new byte[canonical.length + 1];
        out[0] = 1;
        System.arraycopy(canonical, 0, out, 1, canonical.length);
        return out;
    }
}
