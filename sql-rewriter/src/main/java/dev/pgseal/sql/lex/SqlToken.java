package dev.pgseal.sql.lex;

/**
 * One token of PostgreSQL SQL text, with its value as PostgreSQL's lexer passes it on.
 *
 * @param kind what the token is
 * @param text the token's value: for names the name as PostgreSQL looks it up (unquoted names with
 *     ASCII letters folded to lower case, quoted names with {@code ""} unescaped, {@code U&"…"}
 *     names decoded, every name truncated to 63 bytes of UTF-8); for {@link Kind#STRING} the
 *     decoded value (escapes applied, continued pieces joined, a dollar-quoted body verbatim); for
 *     {@link Kind#BIT_STRING} the body after a {@code b} or {@code x} marker, as PostgreSQL's
 *     bit-string input sees it; for other kinds the source text
 * @param start offset of the token's first character in the source
 * @param end offset after the token's last character in the source (for a {@code U&} literal
 *     followed by {@code UESCAPE 'c'}, after the escape character's literal)
 */
public record SqlToken(Kind kind, String text, int start, int end) {

    /** Token kinds; comments and whitespace produce no token. */
    public enum Kind {
        /** An unquoted word: keyword or identifier. */
        WORD,
        /** A {@code "quoted"} or {@code U&"quoted"} identifier. */
        QUOTED_IDENTIFIER,
        /** A character string literal in any form ('…', E'…', U&'…', $tag$…$tag$). */
        STRING,
        /** A bit string literal {@code B'…'} or {@code X'…'}. */
        BIT_STRING,
        /** A numeric literal. */
        NUMBER,
        /** A positional parameter {@code $n}. */
        PARAMETER,
        /** An operator or punctuation, including a lone character PostgreSQL passes to its parser. */
        SYMBOL
    }

    /** Whether this is an identifier or keyword (quoted or not). */
    public boolean isName() {
        return kind == Kind.WORD || kind == Kind.QUOTED_IDENTIFIER;
    }

    /** Whether this is the unquoted word {@code word} (lower case). */
    public boolean isWord(String word) {
        return kind == Kind.WORD && text.equals(word);
    }

    /** Whether this is the symbol {@code s}. */
    public boolean isSymbol(String s) {
        return kind == Kind.SYMBOL && text.equals(s);
    }
}
