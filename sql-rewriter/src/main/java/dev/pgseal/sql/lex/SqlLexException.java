package dev.pgseal.sql.lex;

/** SQL text that cannot be tokenized (an unterminated literal, identifier or comment). */
public final class SqlLexException extends RuntimeException {

    private final int position;

    public SqlLexException(String message, int position) {
        super(message + " at position " + (position + 1));
        this.position = position;
    }

    /** The 0-based offset where the offending construct starts. */
    public int position() {
        return position;
    }
}
