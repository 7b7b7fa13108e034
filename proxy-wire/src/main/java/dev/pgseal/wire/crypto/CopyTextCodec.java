package dev.pgseal.wire.crypto;

import dev.pgseal.sql.CopyFormat;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The fields of one line of a {@code COPY} stream in text or CSV format, read and written exactly as
 * PostgreSQL 15 does ({@code CopyReadAttributesText}, {@code CopyReadAttributesCSV},
 * {@code CopyAttributeOutText}, {@code CopyAttributeOutCSV}). Works on bytes: every special
 * character is ASCII and no client encoding pgseal accepts has an ASCII byte inside a multi-byte
 * character, so a byte-wise scan finds exactly PostgreSQL's delimiters, quotes and escapes.
 *
 * <p>Text format: fields split at the delimiter, a backslash escapes the next byte ({@code \b \f \n
 * \r \t \v}, one to three octal digits, {@code \x} and one or two hex digits, else the byte
 * itself); a field whose raw bytes equal the NULL string is NULL. CSV: quoted parts between quote
 * characters, where the escape character escapes a quote or itself; an unquoted field equal to the
 * NULL string is NULL.
 */
public final class CopyTextCodec {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final CopyFormat format;
    private final byte delimiter;
    private final byte quote;
    private final byte escape;
    private final byte[] nullString;

    /** A codec for {@code format} (its characters are ASCII, as the planner guarantees). */
    public CopyTextCodec(CopyFormat format) {
        this.format = format;
        this.delimiter = (byte) format.delimiter();
        this.quote = (byte) format.quote();
        this.escape = (byte) format.escape();
        this.nullString = format.nullString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The format. */
    public CopyFormat format() {
        return format;
    }

    /**
     * The field boundaries of one line (its content, without the line end). Reused across lines:
     * {@link #split} overwrites it.
     */
    public static final class Fields {
        private int count;
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private boolean[] quoted = new boolean[16];

        /** How many fields the line has. */
        public int count() {
            return count;
        }

        /** Offset of field {@code i}'s first raw byte. */
        public int start(int i) {
            return starts[i];
        }

        /** Offset after field {@code i}'s last raw byte. */
        public int end(int i) {
            return ends[i];
        }

        /** Whether field {@code i} had a quoted part (CSV). */
        public boolean quoted(int i) {
            return quoted[i];
        }

        private void add(int start, int end, boolean wasQuoted) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
                quoted = Arrays.copyOf(quoted, count * 2);
            }
            starts[count] = start;
            ends[count] = end;
            quoted[count] = wasQuoted;
            count++;
        }
    }

    /**
     * Splits {@code line[from, to)} into fields.
     *
     * @throws ProtectedValueException {@code 22P04} for an unterminated CSV quoted field
     */
    public void split(byte[] line, int from, int to, Fields out) {
        out.count = 0;
        int p = from;
        if (!format.csv()) {
            while (true) {
                int start = p;
                while (p < to && line[p] != delimiter) {
                    p += line[p] == '\\' && p + 1 < to ? 2 : 1;
                }
                out.add(start, Math.min(p, to), false);
                if (p >= to) {
                    return;
                }
                p++; // the delimiter
            }
        }
        while (true) {
            int start = p;
            boolean sawQuote = false;
            boolean foundDelimiter = false;
            scan:
            while (true) {
                // not in quotes
                while (true) {
                    if (p >= to) {
                        break scan;
                    }
                    byte c = line[p++];
                    if (c == delimiter) {
                        foundDelimiter = true;
                        break scan;
                    }
                    if (c == quote) {
                        sawQuote = true;
                        break;
                    }
                }
                // in quotes
                while (true) {
                    if (p >= to) {
                        throw new ProtectedValueException(CopyErrors.BAD_COPY_FILE_FORMAT,
                                "unterminated CSV quoted field");
                    }
                    byte c = line[p++];
                    if (c == escape && p < to && (line[p] == escape || line[p] == quote)) {
                        p++;
                        continue;
                    }
                    if (c == quote) {
                        break;
                    }
                }
            }
            out.add(start, foundDelimiter ? p - 1 : p, sawQuote);
            if (!foundDelimiter) {
                return;
            }
        }
    }

    /** Whether field {@code i} stands for NULL as PostgreSQL reads it (before FORCE_NOT_NULL / FORCE_NULL). */
    public boolean isNull(byte[] line, Fields f, int i) {
        if (format.csv() && f.quoted(i)) {
            return false;
        }
        return rawEquals(line, f.start(i), f.end(i), nullString);
    }

    /** Whether the raw bytes {@code line[from, to)} equal {@code value}. */
    static boolean rawEquals(byte[] line, int from, int to, byte[] value) {
        return to - from == value.length && Arrays.equals(line, from, to, value, 0, value.length);
    }

    /** Field {@code i}'s value bytes: escapes (text) or quoting (CSV) removed. */
    public byte[] value(byte[] line, Fields f, int i) {
        int from = f.start(i);
        int to = f.end(i);
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        if (format.csv()) {
            int p = from;
            boolean inQuote = false;
            while (p < to) {
                byte c = line[p++];
                if (!inQuote) {
                    if (c == quote) {
                        inQuote = true;
                    } else {
                        out.write(c);
                    }
                } else if (c == escape && p < to && (line[p] == escape || line[p] == quote)) {
                    out.write(line[p++]);
                } else if (c == quote) {
                    inQuote = false;
                } else {
                    out.write(c);
                }
            }
            return out.toByteArray();
        }
        int p = from;
        while (p < to) {
            byte c = line[p++];
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (p >= to) {
                break; // PostgreSQL drops a lone backslash at the end of the line
            }
            c = line[p++];
            switch (c) {
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = c - '0';
                    if (p < to && isOctal(line[p])) {
                        v = (v << 3) + (line[p++] - '0');
                        if (p < to && isOctal(line[p])) {
                            v = (v << 3) + (line[p++] - '0');
                        }
                    }
                    out.write(v & 0xff);
                }
                case 'x' -> {
                    if (p < to && hex(line[p]) >= 0) {
                        int v = hex(line[p++]);
                        if (p < to && hex(line[p]) >= 0) {
                            v = (v << 4) + hex(line[p++]);
                        }
                        out.write(v & 0xff);
                    } else {
                        out.write('x');
                    }
                }
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(0x0b);
                default -> out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }

    private static int hex(byte b) {
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

    /** Writes the NULL string. */
    public void writeNull(ByteArrayOutputStream out) {
        out.write(nullString, 0, nullString.length);
    }

    /**
     * Writes a NULL that PostgreSQL reads as NULL even for a FORCE_NOT_NULL column: the quoted NULL
     * string, which only FORCE_NULL (the one way such a column can receive NULL) reads as NULL.
     */
    public void writeQuotedNull(ByteArrayOutputStream out) {
        out.write(quote);
        writeEscapedForCsv(out, nullString);
        out.write(quote);
    }

    /**
     * Writes a value as PostgreSQL's COPY TO would: text-format escapes, or CSV quoting when the
     * value needs it (or {@code forceQuote}).
     *
     * @param singleColumn whether the row has one column (CSV quotes a lone {@code \.} then)
     */
    public void writeValue(ByteArrayOutputStream out, byte[] value, boolean forceQuote, boolean singleColumn) {
        if (format.csv()) {
            boolean useQuote = forceQuote || Arrays.equals(value, nullString);
            if (!useQuote) {
                if (singleColumn && value.length == 2 && value[0] == '\\' && value[1] == '.') {
                    useQuote = true;
                } else {
                    for (byte c : value) {
                        if (c == delimiter || c == quote || c == '\n' || c == '\r') {
                            useQuote = true;
                            break;
                        }
                    }
                }
            }
            if (!useQuote) {
                out.write(value, 0, value.length);
                return;
            }
            out.write(quote);
            writeEscapedForCsv(out, value);
            out.write(quote);
            return;
        }
        for (byte c : value) {
            if ((c & 0xff) < 0x20) {
                switch (c) {
                    case '\b' -> escaped(out, 'b');
                    case '\f' -> escaped(out, 'f');
                    case '\n' -> escaped(out, 'n');
                    case '\r' -> escaped(out, 'r');
                    case '\t' -> escaped(out, 't');
                    case 0x0b -> escaped(out, 'v');
                    default -> {
                        if (c == delimiter) {
                            out.write('\\');
                        }
                        out.write(c);
                    }
                }
            } else {
                if (c == '\\' || c == delimiter) {
                    out.write('\\');
                }
                out.write(c);
            }
        }
    }

    private void writeEscapedForCsv(ByteArrayOutputStream out, byte[] value) {
        for (byte c : value) {
            if (c == quote || c == escape) {
                out.write(escape);
            }
            out.write(c);
        }
    }

    private static void escaped(ByteArrayOutputStream out, char c) {
        out.write('\\');
        out.write(c);
    }

    /**
     * Writes an envelope as a field PostgreSQL reads as that {@code bytea}: its hex text form
     * {@code \x…}, with the backslash doubled in text format, quoted in CSV when the delimiter or
     * the quote is one of its characters.
     */
    public void writeEnvelope(ByteArrayOutputStream out, byte[] envelope) {
        byte[] text = new byte[2 + envelope.length * 2];
        text[0] = '\\';
        text[1] = 'x';
        for (int i = 0; i < envelope.length; i++) {
            text[2 + 2 * i] = HEX[(envelope[i] >> 4) & 0xf];
            text[3 + 2 * i] = HEX[envelope[i] & 0xf];
        }
        writeValue(out, text, false, false);
    }
}
