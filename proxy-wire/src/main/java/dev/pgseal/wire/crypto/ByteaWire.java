package dev.pgseal.wire.crypto;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The wire forms of {@code bytea} that carry envelopes: PostgreSQL's text output (hex {@code \x…},
 * or the escape format under {@code bytea_output = escape}), the hex literal pgseal writes into SQL,
 * and the binary {@code bytea[]} array of an equality search.
 */
public final class ByteaWire {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int ARRAY_HEADER = 20;

    private ByteaWire() {
    }

    /** Lower-case hex digits of {@code bytes}, two per byte, appended to {@code out}. */
    public static StringBuilder appendHex(StringBuilder out, byte[] bytes) {
        for (byte b : bytes) {
            out.append((char) HEX[(b >> 4) & 0xf]).append((char) HEX[b & 0xf]);
        }
        return out;
    }

    /**
     * Decodes a text-format {@code bytea} value of {@code length} bytes at {@code index} of {@code buf}
     * (hex or escape format) without moving its indexes.
     *
     * @return the bytes, or null when the text is not valid bytea output
     */
    public static byte[] decodeText(ByteBuf buf, int index, int length) {
        byte[] text;
        int from;
        if (buf.hasArray()) {
            text = buf.array();
            from = buf.arrayOffset() + index;
        } else {
            // one bulk copy: per-byte reads of a direct or leak-tracked buffer cost far more
            text = new byte[length];
            buf.getBytes(index, text);
            from = 0;
        }
        return decodeText(text, from, length);
    }

    /** {@link #decodeText(ByteBuf, int, int)} on an array. */
    public static byte[] decodeText(byte[] text, int from, int length) {
        if (length >= 2 && text[from] == '\\' && text[from + 1] == 'x') {
            if ((length & 1) != 0) {
                return null;
            }
            byte[] out = new byte[(length - 2) / 2];
            for (int i = 0, p = from + 2; i < out.length; i++, p += 2) {
                int hi = digit(text[p]);
                int lo = digit(text[p + 1]);
                if ((hi | lo) < 0) {
                    return null;
                }
                out[i] = (byte) (hi << 4 | lo);
            }
            return out;
        }
        return decodeEscape(text, from, length);
    }

    // bytea_output = escape: "\\" for a backslash, "\ooo" for a byte, other bytes as themselves
    private static byte[] decodeEscape(byte[] text, int index, int length) {
        int n = 0;
        int end = index + length;
        for (int p = index; p < end; n++) {
            if (text[p] != '\\') {
                p++;
            } else if (p + 1 < end && text[p + 1] == '\\') {
                p += 2;
            } else if (p + 3 < end && isOctal(text[p + 1]) && isOctal(text[p + 2]) && isOctal(text[p + 3])) {
                p += 4;
            } else {
                return null;
            }
        }
        byte[] out = new byte[n];
        for (int p = index, i = 0; i < n; i++) {
            byte b = text[p];
            if (b != '\\') {
                out[i] = b;
                p++;
            } else if (text[p + 1] == '\\') {
                out[i] = '\\';
                p += 2;
            } else {
                out[i] = (byte) ((text[p + 1] - '0') << 6 | (text[p + 2] - '0') << 3 | (text[p + 3] - '0'));
                p += 4;
            }
        }
        return out;
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }

    private static int digit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** Writes {@code bytes} as text-format {@code bytea} ({@code \x} and hex) into {@code out}. */
    public static void writeHexText(ByteBuf out, byte[] bytes) {
        out.writeByte('\\').writeByte('x');
        for (byte b : bytes) {
            out.writeByte(HEX[(b >> 4) & 0xf]).writeByte(HEX[b & 0xf]);
        }
    }

    /**
     * The binary send format of a one-dimensional {@code bytea[]} holding {@code elements} (none
     * NULL): ndim 1, no NULLs, element type 17, the length, lower bound 1, then each element as a
     * length and its bytes. An empty list gives the empty array (ndim 0), which {@code = ANY(…)}
     * never matches.
     */
    public static byte[] binaryArray(List<byte[]> elements) {
        if (elements.isEmpty()) {
            return java.nio.ByteBuffer.allocate(12).putInt(0).putInt(0).putInt(PgTypes.BYTEA).array();
        }
        int size = ARRAY_HEADER;
        for (byte[] e : elements) {
            size += 4 + e.length;
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        out.putInt(1).putInt(0).putInt(PgTypes.BYTEA).putInt(elements.size()).putInt(1);
        for (byte[] e : elements) {
            out.putInt(e.length).put(e);
        }
        return out.array();
    }
}
