package dev.pgseal.sql.lex;

/**
 * One token of PostgreSQL SQL text.
 *
 * @param kind what the token is
 * @param text for identifiers the name as PostgreSQL stores it (unquoted folded to lower case,
 *     quoted with {@code ""} unescaped); for other kinds the source text
 * @param start offset of the first character in the source
 * @param end offset after the last character
 */
public record SqlToken(Kind kind, String text, int start, int end) {

    /** Token kinds; comments and whitespace produce no token. */
    public enum Kind {
        /** An unquoted word: keyword or identifier. */
        WORD,
        /** A {@code "quoted"} identifier. */
        QUOTED_IDENTIFIER,
        /** A string literal in any PostgreSQL form ('…', E'…', U&'…', $tag$…$tag$, B'…', X'…'). */
        STRING,
        /** A numeric literal. */
        NUMBER,
        /** A positional parameter {@code $n}. */
        PARAMETER,
        /** Any operator or punctuation character sequence. */
        SYMBOL
    }

    /** Whether this is an identifier or keyword (quoted or not). */
    public boolean isName() {
        return kind == Kind.WORD || kind == Kind.QUOTED_IDENTIFIER;
    }

    /** Whether this is the symbol {@code s}. */
    public boolean isSymbol(String s) {
        return kind == Kind.SYMBOL && text.equals(s);
    }
}
