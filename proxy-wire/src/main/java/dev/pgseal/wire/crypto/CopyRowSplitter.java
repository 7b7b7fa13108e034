package dev.pgseal.wire.crypto;

import dev.pgseal.sql.CopyFormat;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Splits the byte stream of a {@code COPY … FROM STDIN} into lines exactly where PostgreSQL 15 does
 * ({@code CopyReadLineText}), however the client cut the stream into CopyData messages — inside a
 * field, an escape, a quoted part, a CR LF pair or a multi-byte character. Only the line being read
 * is buffered, up to a limit.
 *
 * <p>Line ends: the first line end fixes the style (LF, CR or CR LF) and another style later is an
 * error ({@code 22P04}), as in PostgreSQL. Text format: a backslash escapes the next byte (a line
 * break included), and {@code \.} followed by the line end ends the data, even after data on the
 * same line. CSV: line breaks inside quotes are data, and {@code \.} ends the data only alone on a
 * line. After the end marker the rest of the stream is ignored, as PostgreSQL ignores it.
 */
public final class CopyRowSplitter {

    /** Receives each complete line. */
    @FunctionalInterface
    public interface LineSink {
        /**
         * A line: its content is {@code line[0, contentEnd)}, and {@code line[contentEnd, lineEnd)}
         * is what ends it — the line end, or for the end marker {@code \.} and its line end (then
         * {@code endMarker} is true and the content may be empty). The array is reused afterwards.
         */
        void line(byte[] line, int contentEnd, int lineEnd, boolean endMarker);
    }

    private enum LineEnd { UNKNOWN, LF, CR, CRLF }

    private final boolean csv;
    private final byte quote;
    private final byte escape;
    private final boolean distinctEscape;
    private final int maxLineBytes;
    private byte[] buf = new byte[256];
    private int len;
    private LineEnd lineEnd = LineEnd.UNKNOWN;
    private boolean pendingCr;
    private boolean escaped;
    private boolean inQuote;
    private boolean lastWasEscape;
    private boolean firstCharInLine = true;
    /** Text: 1 after {@code \.}, 2 after {@code \.}CR in CR LF style. CSV: 1 after a line-start {@code \}, 2 after {@code \.}, 3 after {@code \.}CR. */
    private int marker;
    private int markerStart;
    private boolean ended;
    private LineSink sink;

    /** A splitter for {@code format}; a line longer than {@code maxLineBytes} is an error ({@code 54000}). */
    public CopyRowSplitter(CopyFormat format, int maxLineBytes) {
        this.csv = format.csv();
        this.quote = (byte) format.quote();
        this.escape = (byte) format.escape();
        // As in PostgreSQL: an escape equal to the quote is no escape here, the quote just toggles.
        this.distinctEscape = format.escape() != format.quote();
        this.maxLineBytes = maxLineBytes;
    }

    /** Whether the end marker was read (everything after it is ignored). */
    public boolean ended() {
        return ended;
    }

    /**
     * Reads {@code chunk} (its readable bytes, indexes unchanged), handing every line it completes to
     * {@code sink}.
     *
     * @throws ProtectedValueException {@code 22P04} for a stream PostgreSQL would refuse to read
     *     this way, {@code 54000} for a line over the limit
     */
    public void feed(ByteBuf chunk, LineSink sink) {
        this.sink = sink;
        int end = chunk.writerIndex();
        for (int i = chunk.readerIndex(); i < end && !ended; i++) {
            step(chunk.getByte(i));
        }
    }

    /** {@link #feed} of an array (for tests). */
    public void feed(byte[] chunk, LineSink sink) {
        this.sink = sink;
        for (int i = 0; i < chunk.length && !ended; i++) {
            step(chunk[i]);
        }
    }

    /** The stream ended (CopyDone): a last line without a line end is still a line. */
    public void finish(LineSink sink) {
        this.sink = sink;
        if (ended) {
            return;
        }
        if (marker != 0) {
            if (!csv) {
                throw bad("end-of-copy marker corrupt");
            }
            notMarker();
        }
        if (pendingCr) {
            pendingCr = false;
            if (lineEnd == LineEnd.CRLF) {
                throw bad(csv ? "unquoted carriage return found in data" : "literal carriage return found in data");
            }
            endLine(len - 1);
        }
        if (len > 0) {
            endLine(len);
        }
    }

    private void step(byte c) {
        if (ended) {
            return;
        }
        if (pendingCr) {
            pendingCr = false;
            if (lineEnd == LineEnd.UNKNOWN) {
                lineEnd = c == '\n' ? LineEnd.CRLF : LineEnd.CR;
            }
            if (lineEnd == LineEnd.CRLF) {
                if (c != '\n') {
                    throw bad(csv ? "unquoted carriage return found in data" : "literal carriage return found in data");
                }
                append(c);
                endLine(len - 2);
                return;
            }
            endLine(len - 1); // CR style: the CR ended the line and c starts the next one
        }
        if (marker != 0) {
            if (csv) {
                csvMarker(c);
            } else {
                textMarker(c);
            }
            return;
        }
        if (!csv) {
            if (escaped) {
                escaped = false;
                append(c);
                if (c == '.') {
                    marker = 1;
                    markerStart = len - 2;
                }
                return;
            }
            if (c == '\\') {
                escaped = true;
                append(c);
                return;
            }
        } else {
            boolean isEscape = distinctEscape && c == escape;
            if (inQuote && isEscape) {
                lastWasEscape = !lastWasEscape;
            }
            if (c == quote && !lastWasEscape) {
                inQuote = !inQuote;
            }
            if (!isEscape) {
                lastWasEscape = false;
            }
        }
        boolean breaks = !csv || !inQuote;
        if (c == '\r' && breaks) {
            if (lineEnd == LineEnd.LF) {
                throw bad(csv ? "unquoted carriage return found in data" : "literal carriage return found in data");
            }
            append(c);
            pendingCr = true;
            return;
        }
        if (c == '\n' && breaks) {
            if (lineEnd == LineEnd.CR || lineEnd == LineEnd.CRLF) {
                throw bad(csv ? "unquoted newline found in data" : "literal newline found in data");
            }
            lineEnd = LineEnd.LF;
            append(c);
            endLine(len - 1);
            return;
        }
        if (csv && c == '\\' && firstCharInLine) {
            firstCharInLine = false;
            append(c);
            marker = 1;
            markerStart = len - 1;
            return;
        }
        firstCharInLine = false;
        append(c);
    }

    /** Text format, after {@code \.}: only the line end may follow. */
    private void textMarker(byte c) {
        if (marker == 1 && lineEnd == LineEnd.CRLF) {
            if (c != '\r') {
                throw bad(c == '\n' ? "end-of-copy marker does not match previous newline style"
                        : "end-of-copy marker corrupt");
            }
            append(c);
            marker = 2;
            return;
        }
        if (c != '\r' && c != '\n') {
            throw bad("end-of-copy marker corrupt");
        }
        if (marker == 2 && c != '\n' || lineEnd == LineEnd.LF && c != '\n' || lineEnd == LineEnd.CR && c != '\r') {
            throw bad("end-of-copy marker does not match previous newline style");
        }
        append(c);
        endOfData();
    }

    /** CSV, after a backslash at the start of a line: the end marker, or data after all. */
    private void csvMarker(byte c) {
        switch (marker) {
            case 1 -> {
                if (c == '.') {
                    append(c);
                    marker = 2;
                } else {
                    notMarker();
                    step(c);
                }
            }
            case 2 -> {
                if (lineEnd == LineEnd.CRLF) {
                    if (c == '\r') {
                        append(c);
                        marker = 3;
                    } else {
                        notMarker();
                        step(c);
                    }
                } else if (c == '\r' || c == '\n') {
                    if (lineEnd == LineEnd.LF && c != '\n' || lineEnd == LineEnd.CR && c != '\r') {
                        throw bad("end-of-copy marker does not match previous newline style");
                    }
                    append(c);
                    endOfData();
                } else {
                    notMarker();
                    step(c);
                }
            }
            default -> {
                if (c == '\n') {
                    append(c);
                    endOfData();
                } else if (c == '\r') {
                    throw bad("end-of-copy marker does not match previous newline style");
                } else {
                    notMarker();
                    step(c);
                }
            }
        }
    }

    /** CSV: what followed a line-start backslash is data; read it again as such. */
    private void notMarker() {
        byte[] held = Arrays.copyOfRange(buf, markerStart + 1, len);
        len = markerStart + 1;
        marker = 0;
        for (byte b : held) {
            step(b);
        }
    }

    private void endOfData() {
        marker = 0;
        ended = true;
        sink.line(buf, markerStart, len, true);
        len = 0;
    }

    private void endLine(int contentEnd) {
        sink.line(buf, contentEnd, len, false);
        len = 0;
        firstCharInLine = true;
        inQuote = false;
        lastWasEscape = false;
        escaped = false;
    }

    private void append(byte c) {
        if (len == buf.length) {
            if (len >= maxLineBytes) {
                throw new ProtectedValueException(CopyErrors.PROGRAM_LIMIT_EXCEEDED, "pgseal: a COPY row is longer "
                        + "than " + maxLineBytes + " bytes, the most pgseal buffers for one row");
            }
            buf = Arrays.copyOf(buf, (int) Math.min((long) len * 2, maxLineBytes + 2L));
        }
        buf[len++] = c;
    }

    private static ProtectedValueException bad(String message) {
        return new ProtectedValueException(CopyErrors.BAD_COPY_FILE_FORMAT, message);
    }
}
