package dev.pgseal.sql.lex;

/**
 * The session settings that change how PostgreSQL's lexer reads SQL text.
 *
 * <p>Only {@code standard_conforming_strings} does: when it is off, a plain {@code '…'} string
 * takes backslash escapes exactly like {@code E'…'}, and {@code U&'…'} strings are refused. pgseal
 * must lex each statement with the value the session has at that moment, or it reads a different
 * statement than PostgreSQL runs.
 *
 * @param standardConformingStrings the value of {@code standard_conforming_strings}
 */
public record LexSettings(boolean standardConformingStrings) {

    /** {@code standard_conforming_strings = on}, PostgreSQL's default since 9.1. */
    public static final LexSettings STANDARD = new LexSettings(true);

    /** {@code standard_conforming_strings = off}. */
    public static final LexSettings LEGACY = new LexSettings(false);
}
