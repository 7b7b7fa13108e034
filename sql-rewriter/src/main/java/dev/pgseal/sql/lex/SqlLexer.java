package dev.pgseal.sql.lex;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tokenizer that reads SQL text as PostgreSQL 14 to 17 does ({@code src/backend/parser/scan.l},
 * plus the {@code UESCAPE} handling of {@code parser.c} and the name folding and truncation of
 * {@code scansup.c}), for a UTF-8 database and a given {@link LexSettings}.
 *
 * <p>The rules it keeps exactly, because each one was used to hide a name from a text screen:
 * <ul>
 *   <li>whitespace is {@code [ \t\n\r\f\v]} and nothing else; {@code --} comments run to {@code \n}
 *       or {@code \r}; {@code /* *}{@code /} comments nest;</li>
 *   <li>names start with {@code [A-Za-z_]} or any non-ASCII character and continue with those,
 *       digits and {@code $}; unquoted names fold ASCII {@code A-Z} only; every name is cut to 63
 *       bytes of UTF-8 without splitting a character;</li>
 *   <li>{@code '…'} takes backslash escapes when {@code standard_conforming_strings} is off;
 *       {@code E'…'} always does; {@code U&'…'} and {@code U&"…"} decode {@code \XXXX} and
 *       {@code \+XXXXXX} (or another escape character given by a following {@code UESCAPE 'c'});</li>
 *   <li>a quoted literal continues across whitespace that holds a newline, where {@code --}
 *       comments count as whitespace and a {@code /* *}{@code /} comment does not;</li>
 *   <li>a dollar-quoted body is verbatim; a {@code $} inside a name belongs to the name.</li>
 * </ul>
 * Where PostgreSQL versions differ ({@code 1abc} and {@code $1abc} are errors since 15, hex
 * integers and {@code _} separators exist since 16), it splits the text into a number (or
 * parameter) and a name, so a name is never lost.
 */
public final class SqlLexer {

    /** PostgreSQL's NAMEDATALEN - 1: the longest name in bytes. */
    public static final int MAX_NAME_BYTES = 63;

    private final String sql;
    private final LexSettings settings;
    private final int n;
    private int pos;

    private SqlLexer(String sql, LexSettings settings) {
        this.sql = sql;
        this.settings = settings;
        this.n = sql.length();
    }

    /**
     * Tokenizes {@code sql} with {@code standard_conforming_strings} on.
     *
     * @throws SqlLexException where PostgreSQL's lexer raises an error
     */
    public static List<SqlToken> tokenize(String sql) {
        return tokenize(sql, LexSettings.STANDARD);
    }

    /**
     * Tokenizes {@code sql} as PostgreSQL does under {@code settings}.
     *
     * @throws SqlLexException where PostgreSQL's lexer raises an error (unterminated literal or
     *     comment, invalid escape, zero-length quoted name, {@code U&'…'} when strings are not
     *     standard conforming), or when the text holds an unpaired UTF-16 surrogate, which no UTF-8
     *     text PostgreSQL receives can
     */
    public static List<SqlToken> tokenize(String sql, LexSettings settings) {
        return new SqlLexer(sql, settings).run();
    }

    // ---- character classes, ASCII only, as scan.l ----

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isHorizSpace(char c) {
        return c == ' ' || c == '\t' || c == '\f' || c == '\u000B';
    }

    private static boolean isNewline(char c) {
        return c == '\n' || c == '\r';
    }

    /** {@code [A-Za-z\200-\377_]}: in UTF-16 every non-ASCII character is made of high-bit bytes. */
    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentCont(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDolqCont(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isOpChar(char c) {
        return "~!@#^&|`?+-*/%<>=".indexOf(c) >= 0;
    }

    private char at(int i) {
        return i < n ? sql.charAt(i) : '\0';
    }

    // ---- driver ----

    /** A token before the parser.c filter: U&-literals still carry their raw body. */
    private record Raw(SqlToken.Kind kind, String text, int start, int end, boolean unicode, boolean simpleString) {
    }

    private List<SqlToken> run() {
        checkSurrogates();
        List<SqlToken> out = new ArrayList<>();
        Raw r;
        while ((r = nextRaw()) != null) {
            out.add(r.unicode() ? unicodeLiteral(r) : new SqlToken(r.kind(), r.text(), r.start(), r.end()));
        }
        return out;
    }

    private void checkSurrogates() {
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(sql.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new SqlLexException("unpaired UTF-16 surrogate in SQL text", i);
            }
        }
    }

    /** Skips whitespace and comments; the next raw token, or null at the end. */
    private Raw nextRaw() {
        skipWhitespaceAndComments();
        if (pos >= n) {
            return null;
        }
        int start = pos;
        char c = sql.charAt(pos);
        char c1 = at(pos + 1);
        if (c == '\'') {
            pos++;
            return quoted(start, settings.standardConformingStrings() ? Mode.STANDARD : Mode.ESCAPE);
        }
        if ((c == 'e' || c == 'E') && c1 == '\'') {
            pos += 2;
            return quoted(start, Mode.ESCAPE);
        }
        if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && c1 == '\'') {
            pos += 2;
            return quoted(start, c == 'b' || c == 'B' ? Mode.BITS : Mode.HEX);
        }
        if ((c == 'n' || c == 'N') && c1 == '\'') {
            // scan.l returns the keyword NCHAR for the letter alone; the quote starts a plain string.
            pos++;
            return new Raw(SqlToken.Kind.WORD, "nchar", start, pos, false, false);
        }
        if ((c == 'u' || c == 'U') && c1 == '&' && (at(pos + 2) == '\'' || at(pos + 2) == '"')) {
            if (at(pos + 2) == '\'') {
                if (!settings.standardConformingStrings()) {
                    throw new SqlLexException("unsafe use of string constant with Unicode escapes", start);
                }
                pos += 3;
                return quoted(start, Mode.UNICODE);
            }
            pos += 3;
            return quotedIdentifier(start, true);
        }
        if (c == '"') {
            pos++;
            return quotedIdentifier(start, false);
        }
        if (c == '$') {
            return dollar(start);
        }
        if (isIdentStart(c)) {
            pos++;
            while (pos < n && isIdentCont(sql.charAt(pos))) {
                pos++;
            }
            String name = truncate(foldAscii(sql.substring(start, pos)));
            return new Raw(SqlToken.Kind.WORD, name, start, pos, false, false);
        }
        if (isDigit(c) || (c == '.' && isDigit(c1))) {
            return number(start);
        }
        if (isOpChar(c)) {
            return operator(start);
        }
        pos++;
        if ((c == ':' && (c1 == ':' || c1 == '=')) || (c == '.' && c1 == '.')) {
            pos++;
        }
        return new Raw(SqlToken.Kind.SYMBOL, sql.substring(start, pos), start, pos, false, false);
    }

    private void skipWhitespaceAndComments() {
        while (pos < n) {
            char c = sql.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (c == '-' && at(pos + 1) == '-') {
                pos = endOfLineComment(pos);
            } else if (c == '/' && at(pos + 1) == '*') {
                skipBlockComment();
            } else {
                return;
            }
        }
    }

    /** The offset of the newline ending the {@code --} comment at {@code from}, or the text's end. */
    private int endOfLineComment(int from) {
        int i = from + 2;
        while (i < n && !isNewline(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private void skipBlockComment() {
        int start = pos;
        int depth = 0;
        pos += 2;
        while (pos < n) {
            if (sql.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (sql.startsWith("*/", pos)) {
                pos += 2;
                if (depth == 0) {
                    return;
                }
                depth--;
            } else {
                pos++;
            }
        }
        throw new SqlLexException("unterminated /* comment", start);
    }

    // ---- quoted literals ----

    private enum Mode { STANDARD, ESCAPE, UNICODE, BITS, HEX }

    /**
     * After a closing quote at {@code from - 1}: when {@code quotecontinue} matches
     * ({@code horiz_whitespace* newline special_whitespace* '}), the offset after the next opening
     * quote, else -1.
     */
    private int continuation(int from) {
        int i = from;
        while (i < n) {
            char c = sql.charAt(i);
            if (isHorizSpace(c)) {
                i++;
            } else if (c == '-' && at(i + 1) == '-') {
                i = endOfLineComment(i);
            } else {
                break;
            }
        }
        if (i >= n || !isNewline(sql.charAt(i))) {
            return -1;
        }
        i++;
        while (i < n) {
            char c = sql.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '-' && at(i + 1) == '-') {
                int end = endOfLineComment(i);
                if (end >= n) {
                    return -1;
                }
                i = end + 1;
            } else {
                break;
            }
        }
        return i < n && sql.charAt(i) == '\'' ? i + 1 : -1;
    }

    /** A quoted literal whose first body character is at {@code pos}. */
    private Raw quoted(int start, Mode mode) {
        Utf8Buffer value = new Utf8Buffer();
        while (true) {
            if (pos >= n) {
                throw new SqlLexException(switch (mode) {
                    case BITS -> "unterminated bit string literal";
                    case HEX -> "unterminated hexadecimal string literal";
                    default -> "unterminated quoted string";
                }, start);
            }
            char c = sql.charAt(pos);
            if (c == '\'') {
                if (mode != Mode.BITS && mode != Mode.HEX && at(pos + 1) == '\'') {
                    value.append('\'');
                    pos += 2;
                    continue;
                }
                pos++;
                int next = continuation(pos);
                if (next < 0) {
                    break;
                }
                pos = next;
            } else if (c == '\\' && mode == Mode.ESCAPE) {
                escape(value, start);
            } else {
                int cp = sql.codePointAt(pos);
                value.appendCodePoint(cp);
                pos += Character.charCount(cp);
            }
        }
        return switch (mode) {
            case BITS -> new Raw(SqlToken.Kind.BIT_STRING, "b" + value.decode(start), start, pos, false, false);
            case HEX -> new Raw(SqlToken.Kind.BIT_STRING, "x" + value.decode(start), start, pos, false, false);
            case UNICODE -> new Raw(SqlToken.Kind.STRING, value.decode(start), start, pos, true, false);
            default -> new Raw(SqlToken.Kind.STRING, value.decode(start), start, pos, false, true);
        };
    }

    /** One backslash escape of an E'…' string, at {@code pos}. */
    private void escape(Utf8Buffer value, int start) {
        char d = at(pos + 1);
        if (pos + 1 >= n) {
            // A backslash just before the end: scan.l keeps it; the string is unterminated anyway.
            value.append('\\');
            pos++;
            return;
        }
        if (d == 'u' || d == 'U') {
            int code = unicodeEscape(pos, start);
            if (code >= 0xD800 && code <= 0xDBFF) {
                int low = (at(pos) == '\\' && (at(pos + 1) == 'u' || at(pos + 1) == 'U')) ? unicodeEscape(pos, start) : -1;
                if (low < 0xDC00 || low > 0xDFFF) {
                    throw new SqlLexException("invalid Unicode surrogate pair", start);
                }
                code = Character.toCodePoint((char) code, (char) low);
            } else if (code >= 0xDC00 && code <= 0xDFFF) {
                throw new SqlLexException("invalid Unicode surrogate pair", start);
            }
            if (code <= 0 || code > 0x10FFFF) {
                throw new SqlLexException("invalid Unicode escape value", start);
            }
            value.appendCodePoint(code);
            return;
        }
        if (d >= '0' && d <= '7') {
            int i = pos + 1;
            int v = 0;
            while (i < n && i < pos + 4 && sql.charAt(i) >= '0' && sql.charAt(i) <= '7') {
                v = v * 8 + (sql.charAt(i) - '0');
                i++;
            }
            value.appendByte(v & 0xFF);
            pos = i;
            return;
        }
        if (d == 'x' && isHex(at(pos + 2))) {
            int i = pos + 2;
            int v = 0;
            while (i < n && i < pos + 4 && isHex(sql.charAt(i))) {
                v = v * 16 + Character.digit(sql.charAt(i), 16);
                i++;
            }
            value.appendByte(v);
            pos = i;
            return;
        }
        switch (d) {
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            default -> {
                // Any other character stands for itself, a non-ASCII one whole.
                int cp = sql.codePointAt(pos + 1);
                value.appendCodePoint(cp);
                pos += 1 + Character.charCount(cp);
                return;
            }
        }
        pos += 2;
    }

    /** {@code \}{@code uXXXX} or {@code \}{@code UXXXXXXXX} at {@code i}; moves {@code pos} past it. */
    private int unicodeEscape(int i, int start) {
        int digits = sql.charAt(i + 1) == 'u' ? 4 : 8;
        long v = 0;
        for (int k = 0; k < digits; k++) {
            char h = at(i + 2 + k);
            if (i + 2 + k >= n || !isHex(h)) {
                throw new SqlLexException("invalid Unicode escape", start);
            }
            v = v * 16 + Character.digit(h, 16);
        }
        pos = i + 2 + digits;
        return v > 0x7FFFFFFFL ? Integer.MAX_VALUE : (int) v;
    }

    /** A "…" name (or U&"…" when {@code unicode}) whose first body character is at {@code pos}. */
    private Raw quotedIdentifier(int start, boolean unicode) {
        StringBuilder name = new StringBuilder();
        while (pos < n) {
            char c = sql.charAt(pos);
            if (c == '"') {
                if (at(pos + 1) == '"') {
                    name.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                if (name.isEmpty()) {
                    throw new SqlLexException("zero-length delimited identifier", start);
                }
                String text = unicode ? name.toString() : truncate(name.toString());
                return new Raw(SqlToken.Kind.QUOTED_IDENTIFIER, text, start, pos, unicode, false);
            }
            name.append(c);
            pos++;
        }
        throw new SqlLexException("unterminated quoted identifier", start);
    }

    /**
     * Decodes a U&-literal as parser.c does: a following {@code UESCAPE} keyword must be followed by
     * a plain string of one character, which becomes the escape character.
     */
    private SqlToken unicodeLiteral(Raw r) {
        char escape = '\\';
        int end = r.end();
        int save = pos;
        skipWhitespaceAndComments();
        int wordStart = pos;
        int i = pos;
        while (i < n && isIdentCont(sql.charAt(i))) {
            i++;
        }
        if (i > wordStart && isIdentStart(sql.charAt(wordStart))
                && foldAscii(sql.substring(wordStart, i)).equals("uescape")) {
            pos = i;
            Raw esc = nextRaw();
            if (esc == null || !esc.simpleString()) {
                throw new SqlLexException("UESCAPE must be followed by a simple string literal", wordStart);
            }
            String e = esc.text();
            char ch = e.length() == 1 ? e.charAt(0) : '\0';
            if (e.length() != 1 || ch >= 0x80 || isHex(ch) || ch == '+' || ch == '\'' || ch == '"' || isSpace(ch)) {
                throw new SqlLexException("invalid Unicode escape character", esc.start());
            }
            escape = ch;
            end = esc.end();
        } else {
            pos = save;
        }
        String decoded = unicodeDecode(r.text(), escape, r.start());
        if (r.kind() == SqlToken.Kind.QUOTED_IDENTIFIER) {
            decoded = truncate(decoded);
        }
        return new SqlToken(r.kind(), decoded, r.start(), end);
    }

    /** parser.c's str_udeescape: {@code eXXXX}, {@code e+XXXXXX} and {@code ee} for escape e. */
    static String unicodeDecode(String body, char escape, int position) {
        StringBuilder out = new StringBuilder(body.length());
        int pairFirst = 0;
        int i = 0;
        int len = body.length();
        while (i < len) {
            char c = body.charAt(i);
            if (c != escape) {
                if (pairFirst != 0) {
                    throw new SqlLexException("invalid Unicode surrogate pair", position);
                }
                out.append(c);
                i++;
                continue;
            }
            int digits;
            int from;
            if (i + 1 < len && body.charAt(i + 1) == escape) {
                if (pairFirst != 0) {
                    throw new SqlLexException("invalid Unicode surrogate pair", position);
                }
                out.append(escape);
                i += 2;
                continue;
            } else if (hexRun(body, i + 1, 4)) {
                digits = 4;
                from = i + 1;
            } else if (i + 1 < len && body.charAt(i + 1) == '+' && hexRun(body, i + 2, 6)) {
                digits = 6;
                from = i + 2;
            } else {
                throw new SqlLexException("invalid Unicode escape", position);
            }
            int code = Integer.parseInt(body.substring(from, from + digits), 16);
            if (code <= 0 || code > 0x10FFFF) {
                throw new SqlLexException("invalid Unicode escape value", position);
            }
            if (pairFirst != 0) {
                if (code < 0xDC00 || code > 0xDFFF) {
                    throw new SqlLexException("invalid Unicode surrogate pair", position);
                }
                code = Character.toCodePoint((char) pairFirst, (char) code);
                pairFirst = 0;
            } else if (code >= 0xDC00 && code <= 0xDFFF) {
                throw new SqlLexException("invalid Unicode surrogate pair", position);
            }
            if (code >= 0xD800 && code <= 0xDBFF) {
                pairFirst = code;
            } else {
                out.appendCodePoint(code);
            }
            i = from + digits;
        }
        if (pairFirst != 0) {
            throw new SqlLexException("invalid Unicode surrogate pair", position);
        }
        return out.toString();
    }

    private static boolean hexRun(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int k = from; k < from + count; k++) {
            if (!isHex(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    // ---- dollar quotes, parameters, numbers, operators ----

    private Raw dollar(int start) {
        char c1 = at(start + 1);
        if (isDigit(c1)) {
            pos = start + 1;
            while (pos < n && isDigit(sql.charAt(pos))) {
                pos++;
            }
            return new Raw(SqlToken.Kind.PARAMETER, sql.substring(start, pos), start, pos, false, false);
        }
        int i = start + 1;
        if (isIdentStart(c1)) {
            while (i < n && isDolqCont(sql.charAt(i))) {
                i++;
            }
        }
        if (at(i) != '$' || i >= n) {
            // dolqfailed (or a lone $): scan.l returns the $ alone and rescans what follows.
            pos = start + 1;
            return new Raw(SqlToken.Kind.SYMBOL, "$", start, pos, false, false);
        }
        String tag = sql.substring(start, i + 1);
        int close = sql.indexOf(tag, i + 1);
        if (close < 0) {
            throw new SqlLexException("unterminated dollar-quoted string", start);
        }
        pos = close + tag.length();
        return new Raw(SqlToken.Kind.STRING, sql.substring(i + 1, close), start, pos, false, true);
    }

    private Raw number(int start) {
        pos = start;
        while (pos < n && isDigit(sql.charAt(pos))) {
            pos++;
        }
        if (at(pos) == '.' && at(pos + 1) != '.') {
            pos++;
            while (pos < n && isDigit(sql.charAt(pos))) {
                pos++;
            }
        }
        char e = at(pos);
        if (e == 'e' || e == 'E') {
            // real: an exponent needs digits; otherwise scan.l throws the e (and sign) back.
            int k = pos + 1;
            if (at(k) == '+' || at(k) == '-') {
                k++;
            }
            if (k < n && isDigit(sql.charAt(k))) {
                pos = k;
                while (pos < n && isDigit(sql.charAt(pos))) {
                    pos++;
                }
            }
        }
        return new Raw(SqlToken.Kind.NUMBER, sql.substring(start, pos), start, pos, false, false);
    }

    private Raw operator(int start) {
        int end = start;
        while (end < n && isOpChar(sql.charAt(end))) {
            end++;
        }
        String op = sql.substring(start, end);
        int nchars = op.length();
        int slashStar = op.indexOf("/*");
        int dashDash = op.indexOf("--");
        int cut = slashStar < 0 ? dashDash : dashDash < 0 ? slashStar : Math.min(slashStar, dashDash);
        if (cut >= 0) {
            nchars = cut;
        }
        if (nchars > 1 && (op.charAt(nchars - 1) == '+' || op.charAt(nchars - 1) == '-')) {
            boolean unusual = false;
            for (int k = nchars - 2; k >= 0; k--) {
                if ("~!@#^&|`?%".indexOf(op.charAt(k)) >= 0) {
                    unusual = true;
                    break;
                }
            }
            while (!unusual && nchars > 1 && (op.charAt(nchars - 1) == '+' || op.charAt(nchars - 1) == '-')) {
                nchars--;
            }
        }
        if (nchars >= MAX_NAME_BYTES + 1) {
            throw new SqlLexException("operator too long", start);
        }
        pos = start + nchars;
        return new Raw(SqlToken.Kind.SYMBOL, op.substring(0, nchars), start, pos, false, false);
    }

    // ---- names ----

    /** scansup.c's downcase_identifier for a multibyte server encoding: ASCII A-Z only. */
    static String foldAscii(String s) {
        char[] chars = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (chars == null) {
                    chars = s.toCharArray();
                }
                chars[i] = (char) (c + ('a' - 'A'));
            }
        }
        return chars == null ? s : new String(chars);
    }

    /** scansup.c's truncate_identifier: at most 63 bytes of UTF-8, whole characters only. */
    public static String truncate(String name) {
        int bytes = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > MAX_NAME_BYTES) {
                return name.substring(0, i);
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return name;
    }

    /** A literal's bytes: text as UTF-8, plus the raw bytes octal and hex escapes produce. */
    private static final class Utf8Buffer {
        private byte[] bytes = new byte[32];
        private int length;
        private boolean rawBytes;

        void append(char c) {
            if (c < 0x80) {
                put(c);
            } else {
                appendCodePoint(c);
            }
        }

        void appendCodePoint(int cp) {
            if (cp < 0x80) {
                put(cp);
            } else if (cp < 0x800) {
                put(0xC0 | (cp >> 6));
                put(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                put(0xE0 | (cp >> 12));
                put(0x80 | ((cp >> 6) & 0x3F));
                put(0x80 | (cp & 0x3F));
            } else {
                put(0xF0 | (cp >> 18));
                put(0x80 | ((cp >> 12) & 0x3F));
                put(0x80 | ((cp >> 6) & 0x3F));
                put(0x80 | (cp & 0x3F));
            }
        }

        void appendByte(int b) {
            rawBytes = true;
            put(b);
        }

        private void put(int b) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, length * 2);
            }
            bytes[length++] = (byte) b;
        }

        /** The value; escaped bytes must form valid UTF-8 without NUL, as pg_verifymbstr demands. */
        String decode(int position) {
            if (!rawBytes) {
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            for (int i = 0; i < length; i++) {
                if (bytes[i] == 0) {
                    throw new SqlLexException("invalid byte sequence for encoding \"UTF8\": 0x00", position);
                }
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, length))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new SqlLexException("invalid byte sequence for encoding \"UTF8\"", position);
            }
        }
    }
}
