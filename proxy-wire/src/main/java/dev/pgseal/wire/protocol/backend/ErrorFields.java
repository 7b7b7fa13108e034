package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBufAllocator;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fields of an ErrorResponse or NoticeResponse, keyed by their one-letter codes. */
public record ErrorFields(Map<Character, String> fields) {
    public ErrorFields {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public static ErrorFields decode(ByteBuf body) {
        Map<Character, String> fields = new LinkedHashMap<>();
        while (true) {
            byte code = Wire.readByte(body);
            if (code == 0) {
                break;
            }
            fields.put((char) code, Wire.readCString(body));
        }
        Wire.expectEnd(body, "ErrorResponse");
        return new ErrorFields(fields);
    }

    /** The non-localized severity (V), else the localized one (S). */
    public String severity() {
        String v = fields.get('V');
        return v != null ? v : fields.getOrDefault('S', "");
    }

    /** The SQLSTATE (C). */
    public String sqlState() {
        return fields.getOrDefault('C', "");
    }

    /** The primary message (M). May quote user data: never log it. */
    public String message() {
        return fields.getOrDefault('M', "");
    }

    /** Writes the fields and the terminating zero byte. */
    public void writeTo(ByteBuf b) {
        for (Map.Entry<Character, String> f : fields.entrySet()) {
            b.writeByte(f.getKey());
            Wire.writeCString(b, f.getValue());
        }
        b.writeByte(0);
    }

    /** A copy with field {@code code} set to {@code value} (kept in place if present), or removed when {@code value} is null. */
    public ErrorFields with(char code, String value) {
        Map<Character, String> copy = new LinkedHashMap<>(fields);
        if (value == null) {
            copy.remove(code);
        } else {
            copy.put(code, value);
        }
        return new ErrorFields(copy);
    }

    /** The cursor position (P) into the client's statement text, 1-based characters, or -1. */
    public int position() {
        try {
            return Integer.parseInt(fields.getOrDefault('P', "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
