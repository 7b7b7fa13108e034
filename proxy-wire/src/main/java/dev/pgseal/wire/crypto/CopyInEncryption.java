package dev.pgseal.wire.crypto;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.CopyColumn;
import dev.pgseal.sql.CopyFormat;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.ValueUse;
import dev.pgseal.wire.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;

/**
 * The stream of one {@code COPY … FROM STDIN} on a protected table: reads the client's CopyData
 * (cut anywhere) into lines ({@link CopyRowSplitter}), encrypts each protected field and sends the
 * complete lines on as new CopyData; the part of a line not yet complete stays buffered.
 *
 * <p>A protected field's text is decoded in the stream's encoding and converted to the column's
 * logical type exactly as a text-format Bind value ({@link ParameterEncryption#encryptValue}), then
 * written as the {@code bytea} text form of its envelope ({@code \\x…} in text format, {@code \x…} in
 * CSV). NULL stays NULL (with CSV's {@code FORCE_NOT_NULL} and {@code FORCE_NULL} as PostgreSQL
 * applies them). Every other field, the header line and the line ends pass byte for byte.
 *
 * <p>Errors carry PostgreSQL's SQLSTATE and name the line and column, never the value: a value the
 * type refuses ({@code 22P02}, {@code 22003}, {@code 22008}, …), bytes invalid in the encoding
 * ({@code 22021}), a line PostgreSQL could not read ({@code 22P04}), a line over the limit
 * ({@code 54000}). Not thread-safe: one per COPY, on the session's event loop.
 */
public final class CopyInEncryption {

    private final List<CopyColumn> columns;
    private final CopyFormat format;
    private final CopyTextCodec codec;
    private final CopyRowSplitter splitter;
    private final ColumnCipher cipher;
    private final Charset charset;
    private final ZoneId zone;
    private final ColumnRef[] targets;
    private final boolean[] forceNotNull;
    private final boolean[] forceNull;
    private final byte[] nullString;
    private final CopyTextCodec.Fields fields = new CopyTextCodec.Fields();
    private final Output out = new Output();
    private boolean headerPending;
    private long lineNumber;

    /**
     * @param plan the COPY (direction {@code FROM_CLIENT})
     * @param charset the stream's encoding (client_encoding, or the COPY's ENCODING option)
     * @param zone the session's time zone
     * @param maxLineBytes the longest line buffered
     */
    public CopyInEncryption(StatementPlan.Copy plan, ColumnCipher cipher, Charset charset, ZoneId zone,
            int maxLineBytes) {
        this.columns = plan.columns();
        this.format = plan.format();
        this.codec = new CopyTextCodec(format);
        this.splitter = new CopyRowSplitter(format, maxLineBytes);
        this.cipher = cipher;
        this.charset = charset;
        this.zone = zone;
        int n = columns.size();
        this.targets = new ColumnRef[n];
        this.forceNotNull = new boolean[n];
        this.forceNull = new boolean[n];
        for (int i = 0; i < n; i++) {
            CopyColumn c = columns.get(i);
            targets[i] = c.target().orElse(null);
            forceNotNull[i] = format.csv() && format.forceNotNull().contains(c.name());
            forceNull[i] = format.csv() && format.forceNull().contains(c.name());
        }
        this.nullString = format.nullString().getBytes(StandardCharsets.US_ASCII);
        this.headerPending = format.header() != CopyFormat.Header.NONE;
    }

    /** Whether the stream's end marker was read: PostgreSQL ignores the rest, and so does pgseal. */
    public boolean ended() {
        return splitter.ended();
    }

    /**
     * The CopyData frame with the lines {@code data} completes, encrypted; null when it completes none.
     *
     * @param data a CopyData body (readable bytes; indexes unchanged)
     * @throws ProtectedValueException for a value or line PostgreSQL would refuse (nothing returned)
     * @throws KeyUnavailableException when a ring has no usable key
     */
    public ByteBuf encrypt(ByteBuf data, ByteBufAllocator alloc) {
        out.reset();
        splitter.feed(data, this::line);
        return frame(alloc);
    }

    /** The frame of the last line when the client ended the stream without a final line end; null if none. */
    public ByteBuf finish(ByteBufAllocator alloc) {
        out.reset();
        splitter.finish(this::line);
        return frame(alloc);
    }

    private ByteBuf frame(ByteBufAllocator alloc) {
        if (out.size() == 0) {
            return null;
        }
        ByteBuf frame = FrameWriter.start(alloc, 'd', out.size());
        frame.writeBytes(out.array(), 0, out.size());
        return FrameWriter.finish(frame);
    }

    private void line(byte[] line, int contentEnd, int lineEnd, boolean endMarker) {
        lineNumber++;
        if (headerPending || endMarker && contentEnd == 0) {
            headerPending = false;
            out.write(line, 0, lineEnd);
            return;
        }
        try {
            codec.split(line, 0, contentEnd, fields);
        } catch (ProtectedValueException e) {
            throw bad(e.getMessage());
        }
        int n = columns.size();
        if (fields.count() < n) {
            throw bad("missing data for column \"" + columns.get(fields.count()).name() + "\"");
        }
        if (fields.count() > n) {
            throw bad("extra data after last expected column");
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.write(format.delimiter());
            }
            if (targets[i] == null) {
                out.write(line, fields.start(i), fields.end(i) - fields.start(i));
                continue;
            }
            boolean isNull = codec.isNull(line, fields, i);
            byte[] value = null;
            if (isNull && forceNotNull[i]) {
                isNull = false;
                value = nullString;
            } else if (!isNull) {
                value = codec.value(line, fields, i);
                if (forceNull[i] && java.util.Arrays.equals(value, nullString)) {
                    isNull = true;
                }
            }
            if (isNull) {
                if (forceNotNull[i]) {
                    codec.writeQuotedNull(out);
                } else {
                    codec.writeNull(out);
                }
                continue;
            }
            int at = out.size();
            codec.writeEnvelope(out, encrypt(i, value));
            if (CopyTextCodec.rawEquals(out.array(), at, out.size(), nullString)) {
                // An envelope PostgreSQL would read as NULL: only a NULL string chosen to match it.
                throw new ProtectedValueException(CopyErrors.BAD_COPY_FILE_FORMAT, "pgseal: the COPY's NULL string "
                        + "equals an encrypted value of column " + targets[i].describe() + " (line " + lineNumber + ")");
            }
        }
        out.write(line, contentEnd, lineEnd - contentEnd);
    }

    private byte[] encrypt(int i, byte[] value) {
        String text;
        try {
            text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtectedValueException(CopyErrors.CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for "
                    + "encoding " + charset.name() + " (COPY line " + lineNumber + ", column " + targets[i].describe()
                    + ")");
        }
        if (text.indexOf('\0') >= 0) {
            throw new ProtectedValueException(CopyErrors.CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for "
                    + "encoding " + charset.name() + ": 0x00 (COPY line " + lineNumber + ", column "
                    + targets[i].describe() + ")");
        }
        byte[] utf8 = charset.equals(StandardCharsets.UTF_8) ? value : text.getBytes(StandardCharsets.UTF_8);
        return ParameterEncryption.encryptValue(targets[i], ValueUse.STORE, "COPY line " + lineNumber,
                PgTypes.UNSPECIFIED, 0, utf8, cipher, zone);
    }

    private ProtectedValueException bad(String message) {
        return new ProtectedValueException(CopyErrors.BAD_COPY_FILE_FORMAT, message + " (COPY line " + lineNumber + ")");
    }

    /** A byte sink whose array can be read without a copy. */
    static final class Output extends ByteArrayOutputStream {
        Output() {
            super(1024);
        }

        byte[] array() {
            return buf;
        }

        void write(char c) {
            write((int) c);
        }
    }
}
