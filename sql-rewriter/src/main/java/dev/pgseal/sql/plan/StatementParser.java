package dev.pgseal.sql.plan;

import dev.pgseal.sql.lex.LexSettings;

/** Reads one SQL statement (no trailing semicolon) into a Calcite tree with exact positions. */
interface StatementParser {

    /**
     * Parses {@code statement}.
     *
     * @throws ParseFailure when the parser cannot read it
     */
    ParsedStatement parse(String statement, LexSettings settings) throws ParseFailure;

    /** The parser could not read a statement; the message is the parser's, never shown with values. */
    final class ParseFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ParseFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
