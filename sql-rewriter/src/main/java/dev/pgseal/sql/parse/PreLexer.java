package dev.pgseal.sql.parse;

import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.lex.SqlLexException;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites PostgreSQL text into a text of the same length that Calcite's lexer reads the way
 * PostgreSQL's lexer read the original, so that every parser position is also a position in the
 * original. What Calcite cannot read is replaced and remembered:
 * <ul>
 *   <li>{@code $n} becomes {@code ?} and spaces (n remembered by offset);</li>
 *   <li>every string form ({@code E'…'}, {@code U&'…'}, dollar quotes, continued strings, bit
 *       strings) becomes a plain {@code '…'} of the same length (the decoded value remembered);</li>
 *   <li>names are written as PostgreSQL looks them up (ASCII-only folding, 63-byte truncation,
 *       {@code U&"…"} decoded), so Calcite must not fold them again;</li>
 *   <li>comments and all whitespace become spaces; {@code ;} ending an empty statement too;</li>
 *   <li>the I of {@code INTERVAL 'text'} without a unit becomes U+E000, which the grammar reads as
 *       PostgreSQL's unit-less interval literal.</li>
 * </ul>
 * Where a replacement is shorter than the original token it is padded with spaces, and the
 * original end offset is remembered so that node end positions still cover the whole token.
 */
final class PreLexer {

    /** The rewritten text and what the rewrite replaced, keyed by offsets (identical in both texts). */
    record Result(
            String text,
            Map<Integer, Integer> parameterNumbers,
            Map<Integer, String> literalsByStart,
            Map<Integer, String> literalsByEnd,
            Map<Integer, Integer> originalEnds,
            List<int[]> statementSpans) {
    }

    private PreLexer() {
    }

    static Result rewrite(String sql, LexSettings settings, boolean castOperator) throws SqlSyntaxException {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(sql, settings);
        } catch (SqlLexException e) {
            throw new SqlSyntaxException(e.getMessage(), e.position(), e);
        }
        char[] out = new char[sql.length()];
        Arrays.fill(out, ' ');
        Map<Integer, Integer> params = new HashMap<>();
        Map<Integer, String> byStart = new HashMap<>();
        Map<Integer, String> byEnd = new HashMap<>();
        Map<Integer, Integer> ends = new HashMap<>();
        List<int[]> statements = new ArrayList<>();
        int stmtStart = -1;
        int stmtEnd = -1;
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            int start = t.start();
            int end = t.end();
            int len = end - start;
            switch (t.kind()) {
                case WORD -> {
                    if (t.text().indexOf(INTERVAL_MARK) >= 0) {
                        throw new SqlSyntaxException("name holds U+E000", start, null);
                    }
                    if (len == 1 && t.text().equals("nchar")) {
                        // N'…': scan.l's NCHAR keyword; Calcite reads N'…' as the same national string.
                        out[start] = sql.charAt(start);
                    } else if (castOperator && len == 8 && t.text().equals("interval") && unitlessInterval(tokens, i)) {
                        out[start] = INTERVAL_MARK;
                        sql.getChars(start + 1, end, out, start + 1);
                    } else {
                        put(out, start, t.text(), end, ends);
                    }
                }
                case QUOTED_IDENTIFIER -> {
                    String quoted = '"' + t.text().replace("\"", "\"\"") + '"';
                    if (quoted.length() > len) {
                        throw new SqlSyntaxException("quoted identifier cannot be rewritten in place", start, null);
                    }
                    put(out, start, quoted, end, ends);
                }
                case STRING, BIT_STRING -> {
                    String value = t.text();
                    if (t.kind() == SqlToken.Kind.STRING && isPlainString(sql, start, end, value)) {
                        sql.getChars(start, end, out, start);
                    } else {
                        // Same length, neutral content: only the position and the remembered value matter.
                        out[start] = '\'';
                        Arrays.fill(out, start + 1, end - 1, 'x');
                        out[end - 1] = '\'';
                    }
                    byStart.put(start, value);
                    byEnd.put(end, value);
                }
                case PARAMETER -> {
                    int number;
                    try {
                        number = Integer.parseInt(t.text(), 1, t.text().length(), 10);
                    } catch (NumberFormatException e) {
                        throw new SqlSyntaxException("parameter number too large", start, e);
                    }
                    out[start] = '?';
                    params.put(start, number);
                    if (end > start + 1) {
                        ends.put(start + 1, end);
                    }
                }
                case SYMBOL -> {
                    if (t.isSymbol(";")) {
                        if (stmtStart >= 0) {
                            out[start] = ';';
                            statements.add(new int[] {stmtStart, stmtEnd});
                            stmtStart = -1;
                        }
                        continue;
                    }
                    if (t.isSymbol("::") && !castOperator) {
                        throw new SqlSyntaxException("the :: cast is not supported", start, null);
                    }
                    sql.getChars(start, end, out, start);
                }
                case NUMBER -> sql.getChars(start, end, out, start);
                default -> throw new AssertionError(t.kind());
            }
            if (stmtStart < 0) {
                stmtStart = start;
            }
            stmtEnd = end;
        }
        if (stmtStart >= 0) {
            statements.add(new int[] {stmtStart, stmtEnd});
        }
        return new Result(new String(out), params, byStart, byEnd, ends, statements);
    }

    /** Written over the I of {@code INTERVAL 'text'} with no unit after it; the grammar's PG_INTERVAL. */
    static final char INTERVAL_MARK = '\ue000';

    private static final java.util.Set<String> INTERVAL_UNITS =
            java.util.Set.of("year", "month", "day", "hour", "minute", "second");

    /** {@code INTERVAL 'text'} not followed by a unit, which Calcite's INTERVAL literal requires. */
    private static boolean unitlessInterval(List<SqlToken> tokens, int i) {
        if (i + 1 >= tokens.size() || tokens.get(i + 1).kind() != SqlToken.Kind.STRING) {
            return false;
        }
        if (i + 2 >= tokens.size()) {
            return true;
        }
        SqlToken next = tokens.get(i + 2);
        return !(next.kind() == SqlToken.Kind.WORD && INTERVAL_UNITS.contains(next.text()));
    }

    /** Writes {@code text} at {@code start}; when it is shorter than the token, remembers the token's end. */
    private static void put(char[] out, int start, String text, int end, Map<Integer, Integer> ends) {
        text.getChars(0, text.length(), out, start);
        int written = start + text.length();
        if (written < end) {
            ends.put(written, end);
        }
    }

    /** A single {@code '…'} whose body, read by Calcite (only {@code ''} is special), is the value. */
    private static boolean isPlainString(String sql, int start, int end, String value) {
        if (sql.charAt(start) != '\'' || end - start < 2) {
            return false;
        }
        int expected = value.length() + 2;
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == '\'') {
                expected++;
            }
        }
        if (expected != end - start) {
            return false;
        }
        int p = start + 1;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (sql.charAt(p++) != c || (c == '\'' && sql.charAt(p++) != '\'')) {
                return false;
            }
        }
        return true;
    }
}
