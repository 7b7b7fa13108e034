package dev.pgseal.wire.crypto;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.CopyColumn;
import dev.pgseal.sql.CopyFormat;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * The rows of one {@code COPY … TO STDOUT} of a protected table, as the session's roles may see
 * them: PostgreSQL sends one CopyData per line (the header line first, with {@code HEADER}); each
 * protected field holds the {@code bytea} text form of an envelope, which is decrypted and written
 * in the COPY's format (text escapes, CSV quoting with {@code FORCE_QUOTE}) and the stream's
 * encoding. Per column and role, as for query results: readers get the plaintext, others what
 * {@code on_unauthorized} says ({@code nullify}: NULL, {@code mask}: the mask, {@code ciphertext}:
 * the envelope unchanged; {@code error} is refused before the COPY runs, see {@link #deniedColumn}).
 * NULL stays NULL; every other field passes byte for byte.
 */
public final class CopyOutDecryption {

    private enum Action { PASS, DECRYPT, NULLIFY, MASK, DENY }

    private final List<CopyColumn> columns;
    private final CopyFormat format;
    private final CopyTextCodec codec;
    private final ColumnCipher cipher;
    private final KeyReadiness keys;
    private final Charset charset;
    private final ZoneId zone;
    private final Action[] actions;
    private final ColumnIdentity[] identities;
    private final CanonicalCodec[] codecs;
    private final CopyTextCodec.Fields fields = new CopyTextCodec.Fields();
    private final CopyInEncryption.Output out = new CopyInEncryption.Output();
    private final boolean changes;
    private boolean headerPending;

    /**
     * @param plan the COPY (direction {@code TO_CLIENT})
     * @param access the session's roles
     * @param charset the stream's encoding
     * @param zone the session's time zone
     */
    public CopyOutDecryption(StatementPlan.Copy plan, ColumnAccess access, ColumnCipher cipher, KeyReadiness keys,
            Charset charset, ZoneId zone) {
        this.columns = plan.columns();
        this.format = plan.format();
        this.codec = new CopyTextCodec(format);
        this.cipher = cipher;
        this.keys = keys;
        this.charset = charset;
        this.zone = zone;
        int n = columns.size();
        this.actions = new Action[n];
        this.identities = new ColumnIdentity[n];
        this.codecs = new CanonicalCodec[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            Optional<ColumnRef> t = columns.get(i).target();
            actions[i] = t.map(ref -> actionFor(ref.column(), access)).orElse(Action.PASS);
            if (t.isPresent()) {
                identities[i] = ParameterEncryption.identity(t.get());
                codecs[i] = ValueConversion.codec(t.get().column().type());
            }
            any |= actions[i] != Action.PASS;
        }
        this.changes = any;
        this.headerPending = format.header() != CopyFormat.Header.NONE;
    }

    /** The first column of {@code plan} the roles may not read under {@code on_unauthorized: error}, if any. */
    public static Optional<ColumnRef> deniedColumn(StatementPlan.Copy plan, ColumnAccess access) {
        for (CopyColumn c : plan.columns()) {
            if (c.target().isPresent() && actionFor(c.target().get().column(), access) == Action.DENY) {
                return c.target();
            }
        }
        return Optional.empty();
    }

    private static Action actionFor(ColumnPolicy column, ColumnAccess access) {
        if (access.canRead(column)) {
            return Action.DECRYPT;
        }
        return switch (column.onUnauthorized()) {
            case NULLIFY -> Action.NULLIFY;
            case MASK -> Action.MASK;
            case CIPHERTEXT -> Action.PASS;
            case ERROR -> Action.DENY;
        };
    }

    /**
     * The CopyData frame to send for {@code frame} (a whole frame: type, length, body): {@code frame}
     * itself when nothing changes, else a new frame (and {@code frame} released).
     *
     * @throws KeyNotReadyException when a value needs a key version not in memory; {@code frame} is
     *     untouched, to be passed again once it is loaded
     * @throws ProtectedValueException {@code XX001} for a value that is not a valid envelope of its
     *     column, {@code 42501} for a column the roles may not read, {@code 58000} for a key that
     *     cannot be used, {@code 22P05} for plaintext the stream's encoding cannot hold,
     *     {@code 08P01} for a line that does not have the COPY's columns; {@code frame} untouched
     */
    public ByteBuf apply(ByteBuf frame, ByteBufAllocator alloc) {
        if (!changes) {
            return frame;
        }
        if (headerPending) {
            headerPending = false;
            return frame;
        }
        int bodyLength = frame.readableBytes() - Wire.HEADER_BYTES;
        byte[] line = new byte[bodyLength];
        frame.getBytes(frame.readerIndex() + Wire.HEADER_BYTES, line);
        int contentEnd = bodyLength;
        if (contentEnd > 0 && line[contentEnd - 1] == '\n') {
            contentEnd--;
            if (contentEnd > 0 && line[contentEnd - 1] == '\r') {
                contentEnd--;
            }
        }
        codec.split(line, 0, contentEnd, fields);
        int n = columns.size();
        if (fields.count() != n) {
            throw new ProtectedValueException("08P01", "pgseal: a COPY row from PostgreSQL has " + fields.count()
                    + " fields, the COPY of " + columns.size() + " columns expected as many");
        }
        out.reset();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.write(format.delimiter());
            }
            Action a = actions[i];
            if (a == Action.PASS || codec.isNull(line, fields, i)) {
                out.write(line, fields.start(i), fields.end(i) - fields.start(i));
                continue;
            }
            ColumnRef target = columns.get(i).target().orElseThrow();
            switch (a) {
                case NULLIFY -> codec.writeNull(out);
                case DENY -> throw new ProtectedValueException(ProtectedValueException.INSUFFICIENT_PRIVILEGE,
                        "pgseal: permission denied to read column " + target.describe());
                default -> {
                    byte[] canonical = decrypt(i, target, codec.value(line, fields, i));
                    String text;
                    try {
                        text = codecs[i].toText(canonical, zone);
                    } catch (IllegalArgumentException e) {
                        throw corrupt(target); // authentic, yet not a canonical value of the type
                    }
                    if (a == Action.MASK) {
                        text = target.column().mask().orElseThrow().apply(text);
                    }
                    codec.writeValue(out, encode(text, target), format.forcesQuote(columns.get(i).name()), n == 1);
                }
            }
        }
        out.write(line, contentEnd, bodyLength - contentEnd);
        ByteBuf result = FrameWriter.start(alloc, 'd', out.size());
        result.writeBytes(out.array(), 0, out.size());
        FrameWriter.finish(result);
        frame.release();
        return result;
    }

    private byte[] decrypt(int i, ColumnRef target, byte[] byteaText) {
        byte[] envelope = ByteaWire.decodeText(byteaText, 0, byteaText.length);
        if (envelope == null) {
            throw corrupt(target);
        }
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.parse(envelope);
        } catch (DecryptionException e) {
            throw corrupt(target);
        }
        if (!keys.readyToDecrypt(header.ringId(), header.keyVersion())) {
            throw KeyNotReadyException.forDecryption(header.ringId(), header.keyVersion());
        }
        try {
            return cipher.decrypt(identities[i], target.column().key(), envelope);
        } catch (KeyUnavailableException e) {
            throw new ProtectedValueException(ProtectedValueException.KEY_UNAVAILABLE, "pgseal: the key for a value"
                    + " of column " + target.describe() + " is not available");
        } catch (DecryptionException e) {
            throw corrupt(target);
        }
    }

    private byte[] encode(String text, ColumnRef target) {
        try {
            ByteBuffer b = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new ProtectedValueException(CopyErrors.UNTRANSLATABLE_CHARACTER, "pgseal: a value of column "
                    + target.describe() + " has a character with no equivalent in encoding " + charset.name());
        }
    }

    private static ProtectedValueException corrupt(ColumnRef target) {
        return new ProtectedValueException(ProtectedValueException.DATA_CORRUPTED, "pgseal: a value of column "
                + target.describe() + " is not a valid envelope for its key ring");
    }
}
