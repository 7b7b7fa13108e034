package dev.pgseal.wire.app;

import dev.pgseal.policy.QualifiedName;
import dev.pgseal.sql.StatementScreen;
import dev.pgseal.sql.StatementScreen.Screening;
import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.session.ClientEncodings;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a statement's bytes the way PostgreSQL will read them, so the screen cannot be told one
 * thing while PostgreSQL runs another.
 *
 * <p>The text is decoded in the {@code client_encoding} PostgreSQL reported for the session and
 * lexed with the {@code standard_conforming_strings} it reported (ParameterStatus: what PostgreSQL
 * confirmed, never what the client sent). While earlier messages of the session are still in flight
 * those settings may be changing under the statement (a pipelined {@code SET} or {@code set_config}),
 * so the statement is then read every way it could be read: with standard and with legacy strings,
 * and, when it holds bytes above 0x7F, also in each encoding whose multi-byte characters can hide
 * an ASCII quote or backslash. What any reading finds counts.
 */
final class StatementReader {

    /** Encodings pgseal refuses for a session, but a statement may be read in while a switch is unconfirmed. */
    private static final List<Charset> HIDING_ENCODINGS = availableCharsets(
            "Shift_JIS", "windows-31j", "x-SJIS_0213", "Big5", "Big5-HKSCS", "GBK", "GB18030", "x-windows-949",
            "x-Johab");

    private StatementReader() {
    }

    /**
     * Screens {@code sql} (the statement's bytes as the client sent them) for {@code session}.
     *
     * @param nonAsciiNames whether a protected table's name (or pgseal's schema) holds a non-ASCII
     *     character, so that every supported encoding must be tried while the settings are unconfirmed
     */
    static Screening screen(StatementScreen screen, byte[] sql, SessionInfo session, boolean nonAsciiNames) {
        List<Reading> readings = readings(sql, session, nonAsciiNames);
        if (readings.isEmpty()) {
            return new Screening(Set.of(), false, Optional.of("client_encoding "
                    + session.serverParameter("client_encoding") + " is not one pgseal can read statements in"));
        }
        Screening merged = null;
        for (Reading r : readings) {
            Screening one = screen.screen(r.text(), r.lexing());
            if (merged == null) {
                merged = one;
            } else {
                // Text that does not lex under a reading PostgreSQL may not use fails there with a
                // syntax error: only what such a reading finds counts, not its failure to read.
                merged = union(merged, new Screening(one.protectedTables(), one.touchesPgsealSchema(),
                        Optional.empty(), one.refusal()));
            }
        }
        return merged;
    }

    /**
     * One way PostgreSQL may read a statement: the decoded text, how strings lex, and whether it is
     * the reading of the settings PostgreSQL confirmed.
     *
     * @param text the statement decoded in {@code charset}
     * @param lexing how strings lex
     * @param charset the encoding it was decoded in
     * @param confirmed whether this is the reading under the confirmed settings
     * @param malformed whether some bytes were not valid in {@code charset} (replaced by U+FFFD)
     */
    record Reading(String text, LexSettings lexing, Charset charset, boolean confirmed, boolean malformed) {
    }

    /**
     * Every reading of {@code sql} that counts for {@code session}: the confirmed one first, then,
     * while the session is not settled, the others {@link #screen} also tries. Empty when the
     * confirmed {@code client_encoding} is one pgseal cannot read.
     */
    static List<Reading> readings(byte[] sql, SessionInfo session, boolean nonAsciiNames) {
        String encodingName = session.serverParameter("client_encoding");
        if (encodingName == null) {
            encodingName = "UTF8";
        }
        if (!ClientEncodings.isSupported(encodingName)) {
            return List.of();
        }
        Charset confirmedCharset = ClientEncodings.charset(encodingName);
        LexSettings confirmedLexing = confirmedLexing(session);
        List<Reading> out = new ArrayList<>();
        String confirmedText = decode(sql, confirmedCharset);
        boolean malformed = !isExact(sql, confirmedCharset);
        out.add(new Reading(confirmedText, confirmedLexing, confirmedCharset, true, malformed));
        if (session.settled()) {
            return out;
        }
        List<Charset> charsets = new ArrayList<>();
        charsets.add(confirmedCharset);
        if (hasHighBytes(sql)) {
            charsets.addAll(HIDING_ENCODINGS);
            if (nonAsciiNames) {
                for (String other : ClientEncodings.supported()) {
                    Charset c = ClientEncodings.charset(other);
                    if (!charsets.contains(c)) {
                        charsets.add(c);
                    }
                }
            }
        }
        for (Charset charset : charsets) {
            boolean same = charset.equals(confirmedCharset);
            String text = same ? confirmedText : decode(sql, charset);
            for (LexSettings lexing : List.of(LexSettings.STANDARD, LexSettings.LEGACY)) {
                if (same && lexing.equals(confirmedLexing)) {
                    continue;
                }
                out.add(new Reading(text, lexing, charset, false, same ? malformed : !isExact(sql, charset)));
            }
        }
        return out;
    }

    /** Whether {@code sql} is valid in {@code charset} (decodes without replacement). */
    private static boolean isExact(byte[] sql, Charset charset) {
        try {
            charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(sql));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static LexSettings confirmedLexing(SessionInfo session) {
        String scs = session.serverParameter("standard_conforming_strings");
        return scs == null || scs.equalsIgnoreCase("on") ? LexSettings.STANDARD : LexSettings.LEGACY;
    }

    private static boolean hasHighBytes(byte[] sql) {
        for (byte b : sql) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes as PostgreSQL's conversion would; a byte sequence that is invalid in the encoding
     * becomes U+FFFD, which lexes as an identifier character (PostgreSQL rejects such text anyway).
     */
    private static String decode(byte[] sql, Charset charset) {
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(sql))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder failed", e);
        }
    }

    private static Screening union(Screening a, Screening b) {
        Set<QualifiedName> tables = new LinkedHashSet<>(a.protectedTables());
        tables.addAll(b.protectedTables());
        return new Screening(Set.copyOf(tables), a.touchesPgsealSchema() || b.touchesPgsealSchema(),
                a.unreadable().or(b::unreadable), a.refusal().or(b::refusal));
    }

    private static List<Charset> availableCharsets(String... names) {
        List<Charset> out = new ArrayList<>();
        for (String n : names) {
            if (Charset.isSupported(n)) {
                out.add(Charset.forName(n));
            }
        }
        return List.copyOf(out);
    }
}
