package dev.pgseal.wire.session;

/** What a frontend message waits for; one {@link PendingResponse} per message that gets responses. */
public enum ResponseKind {
    /** Query: every statement's RowDescription, DataRows, CommandComplete…, until ReadyForQuery. */
    QUERY(false),
    /** Parse: ParseComplete. */
    PARSE(true),
    /** Bind: BindComplete. */
    BIND(true),
    /** Describe of a statement: ParameterDescription, then RowDescription or NoData. */
    DESCRIBE_STATEMENT(true),
    /** Describe of a portal: RowDescription or NoData. */
    DESCRIBE_PORTAL(true),
    /** Execute: DataRows, then CommandComplete, EmptyQueryResponse or PortalSuspended (or a COPY). */
    EXECUTE(true),
    /** Close: CloseComplete. */
    CLOSE(true),
    /** Sync: ReadyForQuery. */
    SYNC(false),
    /** FunctionCall: FunctionCallResponse, then ReadyForQuery. */
    FUNCTION_CALL(false),
    /**
     * Not a response: marks where the client ended a COPY FROM STDIN (CopyDone or CopyFail) in its
     * stream, so that messages the COPY consumed can be told from those after it.
     */
    COPY_END(false);

    private final boolean extended;

    ResponseKind(boolean extended) {
        this.extended = extended;
    }

    /** Whether an error answering it makes PostgreSQL skip the client's messages up to the next Sync. */
    public boolean isExtendedProtocol() {
        return extended;
    }
}
