package dev.pgseal.sql.lex;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A tokenizer for PostgreSQL SQL text that knows exactly where names, literals and comments start
 * and end: single-quoted strings (with {@code ''}), escape strings {@code E'…'} (with backslash
 * escapes), Unicode strings {@code U&'…'}, dollar-quoted strings {@code $tag$…$tag$}, quoted
 * identifiers, nested block comments, line comments and positional parameters {@code $n}. It does
 * not parse; it lets pgseal find the names a statement mentions without a full parse.
 */
public final class SqlLexer {

    private final String sql;
    private int pos;

    private SqlLexer(String sql) {
        this.sql = sql;
    }

    /**
     * Tokenizes {@code sql}.
     *
     * @throws SqlLexException for an unterminated string, quoted identifier, dollar quote or comment
     */
    public static List<SqlToken> tokenize(String sql) {
        return new SqlLexer(sql).run();
    }

    private List<SqlToken> run() {
        List<SqlToken> out = new ArrayList<>();
        int n = sql.length();
        while (pos < n) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && peek(1) == '-') {
                skipLineComment();
            } else if (c == '/' && peek(1) == '*') {
                skipBlockComment();
            } else if (c == '\'') {
                out.add(quotedString(pos, pos, false));
            } else if ((c == 'e' || c == 'E') && peek(1) == '\'') {
                out.add(quotedString(pos, pos + 1, true));
            } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && peek(1) == '\'') {
                out.add(quotedString(pos, pos + 1, false));
            } else if ((c == 'u' || c == 'U') && peek(1) == '&' && (peek(2) == '\'' || peek(2) == '"')) {
                if (peek(2) == '\'') {
                    out.add(quotedString(pos, pos + 2, false));
                } else {
                    out.add(quotedIdentifier(pos, pos + 2));
                }
            } else if (c == '"') {
                out.add(quotedIdentifier(pos, pos));
            } else if (c == '$' && Character.isDigit(peek(1))) {
                int start = pos++;
                while (pos < n && Character.isDigit(sql.charAt(pos))) {
                    pos++;
                }
                out.add(new SqlToken(SqlToken.Kind.PARAMETER, sql.substring(start, pos), start, pos));
            } else if (c == '$' && dollarTagEnd(pos) > 0) {
                out.add(dollarString());
            } else if (isIdentStart(c)) {
                int start = pos++;
                while (pos < n && isIdentPart(sql.charAt(pos))) {
                    pos++;
                }
                out.add(new SqlToken(SqlToken.Kind.WORD, sql.substring(start, pos).toLowerCase(Locale.ROOT), start, pos));
            } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)))) {
                int start = pos++;
                while (pos < n && (Character.isLetterOrDigit(sql.charAt(pos)) || sql.charAt(pos) == '.'
                        || sql.charAt(pos) == '_'
                        || ((sql.charAt(pos) == '+' || sql.charAt(pos) == '-')
                            && (sql.charAt(pos - 1) == 'e' || sql.charAt(pos - 1) == 'E')))) {
                    pos++;
                }
                out.add(new SqlToken(SqlToken.Kind.NUMBER, sql.substring(start, pos), start, pos));
            } else {
                int start = pos++;
                if (c == ':' && peek(0) == ':') {
                    pos++;
                }
                out.add(new SqlToken(SqlToken.Kind.SYMBOL, sql.substring(start, pos), start, pos));
            }
        }
        return out;
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < sql.length() ? sql.charAt(i) : '\0';
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127;
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }

    private void skipLineComment() {
        while (pos < sql.length() && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
            pos++;
        }
    }

    private void skipBlockComment() {
        int start = pos;
        int depth = 0;
        while (pos < sql.length()) {
            if (sql.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (sql.startsWith("*/", pos)) {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
        throw new SqlLexException("unterminated /* comment", start);
    }

    /** A '…' literal whose opening quote is at {@code quote}; {@code backslashes} for E'…'. */
    private SqlToken quotedString(int start, int quote, boolean backslashes) {
        pos = quote + 1;
        while (true) {
            while (pos < sql.length()) {
                char c = sql.charAt(pos);
                if (backslashes && c == '\\') {
                    pos += 2;
                } else if (c == '\'') {
                    if (peek(1) == '\'') {
                        pos += 2;
                    } else {
                        break;
                    }
                } else {
                    pos++;
                }
            }
            if (pos >= sql.length()) {
                throw new SqlLexException("unterminated quoted string", start);
            }
            pos++;
            // 'foo' <whitespace with a newline> 'bar' continues one literal in PostgreSQL.
            int save = pos;
            boolean newline = false;
            while (pos < sql.length() && Character.isWhitespace(sql.charAt(pos))) {
                newline |= sql.charAt(pos) == '\n';
                pos++;
            }
            if (newline && pos < sql.length() && sql.charAt(pos) == '\'') {
                pos++;
                continue;
            }
            pos = save;
            return new SqlToken(SqlToken.Kind.STRING, sql.substring(start, pos), start, pos);
        }
    }

    private SqlToken quotedIdentifier(int start, int quote) {
        StringBuilder name = new StringBuilder();
        pos = quote + 1;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (c == '"') {
                if (peek(1) == '"') {
                    name.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                return new SqlToken(SqlToken.Kind.QUOTED_IDENTIFIER, name.toString(), start, pos);
            }
            name.append(c);
            pos++;
        }
        throw new SqlLexException("unterminated quoted identifier", start);
    }

    /** The end (exclusive) of a dollar-quote tag starting at {@code at}, or -1. */
    private int dollarTagEnd(int at) {
        int i = at + 1;
        if (i < sql.length() && sql.charAt(i) == '$') {
            return i + 1;
        }
        if (i >= sql.length() || !(Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) > 127)) {
            return -1;
        }
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) > 127)) {
            i++;
        }
        return i < sql.length() && sql.charAt(i) == '$' ? i + 1 : -1;
    }

    private SqlToken dollarString() {
        int start = pos;
        int tagEnd = dollarTagEnd(pos);
        String tag = sql.substring(start, tagEnd);
        int close = sql.indexOf(tag, tagEnd);
        if (close < 0) {
            throw new SqlLexException("unterminated dollar-quoted string " + tag, start);
        }
        pos = close + tag.length();
        return new SqlToken(SqlToken.Kind.STRING, sql.substring(start, pos), start, pos);
    }
}
