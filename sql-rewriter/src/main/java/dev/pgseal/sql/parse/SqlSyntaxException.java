package dev.pgseal.sql.parse;

/**
 * SQL text pgseal cannot parse: either PostgreSQL itself would reject it, or it uses syntax pgseal's
 * parser does not know. Either way pgseal cannot tell what the statement touches, so a caller that
 * must protect columns refuses the statement.
 */
public final class SqlSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int offset;

    /**
     * @param message what could not be read
     * @param offset 0-based offset in the original text where the problem starts
     * @param cause the parser's exception, or null
     */
    public SqlSyntaxException(String message, int offset, Throwable cause) {
        super(message + " at offset " + offset, cause);
        this.offset = offset;
    }

    /** The 0-based offset in the original SQL text where the unreadable construct starts. */
    public int offset() {
        return offset;
    }
}
