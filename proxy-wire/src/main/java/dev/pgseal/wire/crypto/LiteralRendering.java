package dev.pgseal.wire.crypto;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.Splice;
import dev.pgseal.sql.TextEdit;
import dev.pgseal.sql.ValueUse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Writes the SQL text of a simple query from a plan: each {@link TextEdit} replaces its span of the
 * client's text with its pieces, everything else reaches PostgreSQL as the client wrote it.
 * {@link Splice.Encrypted} literals become {@code '\x…'::bytea} ({@code NULL::bytea}) for
 * {@link ValueUse#STORE} and {@code ARRAY['\x…'::bytea, …]} for {@link ValueUse#MATCH} (one
 * envelope per live key version; {@code NULL::bytea[]} for NULL and {@code '{}'::bytea[]} for a
 * value no row can hold).
 *
 * <p>With {@code standard_conforming_strings = off} a backslash in {@code '…'} is an escape, so the
 * literal is written {@code E'\\x…'} instead, which means the same under either setting.
 *
 * <p>Edit offsets are {@code char} indexes into the statement as a Java string (UTF-16 units), the
 * planner's positions.
 */
public final class LiteralRendering {

    private final ColumnCipher cipher;
    private final ZoneId zone;
    private final boolean standardConformingStrings;
    private final IntFunction<String> parameters;

    /**
     * @param cipher encrypts the values (its keys must be ready: see {@link KeyReadiness})
     * @param zone the session's time zone (timestamptz literals without an offset)
     * @param standardConformingStrings the session's setting
     */
    public LiteralRendering(ColumnCipher cipher, ZoneId zone, boolean standardConformingStrings) {
        this(cipher, zone, standardConformingStrings, n -> "$" + n);
    }

    private LiteralRendering(ColumnCipher cipher, ZoneId zone, boolean standardConformingStrings,
            IntFunction<String> parameters) {
        this.cipher = cipher;
        this.zone = zone;
        this.standardConformingStrings = standardConformingStrings;
        this.parameters = parameters;
    }

    /** This rendering with equality parameters ({@link Splice.Parameter}) written as {@code slots} says. */
    public LiteralRendering withSlots(MatchSlots slots) {
        return new LiteralRendering(cipher, zone, standardConformingStrings, slots::render);
    }

    /**
     * The client's {@code sql} with {@code edits} applied (sorted, not overlapping), right to left so
     * earlier offsets stay valid.
     *
     * @throws ProtectedValueException when a literal is not valid for its column's type
     * @throws IllegalArgumentException when an edit lies outside the text
     */
    public String apply(String sql, List<TextEdit> edits) {
        return apply(sql, edits, renderAll(edits));
    }

    /**
     * The text of each edit, in order (encrypting its literals), for {@link #apply(String, List, List)}
     * and {@link #applyUtf8(byte[], List, List)}; the caller learns how long each replacement is.
     *
     * @throws ProtectedValueException when a literal is not valid for its column's type
     */
    public List<String> renderAll(List<TextEdit> edits) {
        List<String> replacements = new ArrayList<>(edits.size());
        for (TextEdit e : edits) {
            replacements.add(render(e.pieces()));
        }
        return replacements;
    }

    /** {@code sql} with each edit replaced by its rendered text ({@link #renderAll}). */
    public String apply(String sql, List<TextEdit> edits, List<String> replacements) {
        for (TextEdit e : edits) {
            if (e.end() > sql.length()) {
                throw new IllegalArgumentException("edit [" + e.start() + ", " + e.end() + ") beyond the text ("
                        + sql.length() + " chars)");
            }
        }
        StringBuilder out = new StringBuilder(sql);
        for (int i = edits.size() - 1; i >= 0; i--) {
            TextEdit e = edits.get(i);
            out.replace(e.start(), e.end(), replacements.get(i));
        }
        return out.toString();
    }

    /**
     * Like {@link #apply(String, List)} on the client's UTF-8 bytes: the bytes outside the edits are
     * copied, not re-encoded.
     */
    public byte[] applyUtf8(byte[] sqlUtf8, List<TextEdit> edits) {
        return applyUtf8(sqlUtf8, edits, renderAll(edits));
    }

    /** {@link #applyUtf8(byte[], List)} with each edit's text already rendered ({@link #renderAll}). */
    public byte[] applyUtf8(byte[] sqlUtf8, List<TextEdit> edits, List<String> replacements) {
        int[] charToByte = charOffsets(sqlUtf8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(sqlUtf8.length + 64 * edits.size());
        int copied = 0;
        for (int i = 0; i < edits.size(); i++) {
            TextEdit e = edits.get(i);
            if (e.end() >= charToByte.length) {
                throw new IllegalArgumentException("edit [" + e.start() + ", " + e.end() + ") beyond the text");
            }
            int from = charToByte[e.start()];
            out.write(sqlUtf8, copied, from - copied);
            out.writeBytes(replacements.get(i).getBytes(StandardCharsets.UTF_8));
            copied = charToByte[e.end()];
        }
        out.write(sqlUtf8, copied, sqlUtf8.length - copied);
        return out.toByteArray();
    }

    /** For each UTF-16 index of the decoded text (and its end), the byte offset in {@code utf8}. */
    private static int[] charOffsets(byte[] utf8) {
        int[] offsets = new int[utf8.length + 1];
        int chars = 0;
        for (int i = 0; i < utf8.length;) {
            int b = utf8[i] & 0xff;
            int len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            offsets[chars++] = i;
            if (len == 4) {
                offsets[chars++] = i; // a supplementary character is two UTF-16 units
            }
            i += len;
        }
        offsets[chars] = utf8.length;
        return java.util.Arrays.copyOf(offsets, chars + 1);
    }

    /** The text of one edit's pieces. */
    public String render(List<Splice> pieces) {
        StringBuilder sb = new StringBuilder();
        for (Splice s : pieces) {
            if (s instanceof Splice.Text t) {
                sb.append(t.sql());
            } else if (s instanceof Splice.Parameter p) {
                sb.append(parameters.apply(p.number()));
            } else {
                Splice.Encrypted e = (Splice.Encrypted) s;
                appendEncrypted(sb, e.target(), e.use(), e.value());
            }
        }
        return sb.toString();
    }

    private void appendEncrypted(StringBuilder sb, ColumnRef target, ValueUse use, Optional<String> value) {
        if (value.isEmpty()) {
            sb.append(use == ValueUse.STORE ? "NULL::bytea" : "NULL::bytea[]");
            return;
        }
        Optional<byte[]> canonical = ValueConversion.fromLiteral(target, use, value.get(), zone);
        List<byte[]> envelopes = ParameterEncryption.envelopes(target, use, canonical, cipher);
        if (use == ValueUse.STORE) {
            appendBytea(sb, envelopes.get(0));
            return;
        }
        if (envelopes.isEmpty()) {
            sb.append("'{}'::bytea[]");
            return;
        }
        sb.append("ARRAY[");
        for (int i = 0; i < envelopes.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendBytea(sb, envelopes.get(i));
        }
        sb.append(']');
    }

    private void appendBytea(StringBuilder sb, byte[] envelope) {
        sb.append(standardConformingStrings ? "'\\x" : "E'\\\\x");
        ByteaWire.appendHex(sb, envelope).append("'::bytea");
    }
}
