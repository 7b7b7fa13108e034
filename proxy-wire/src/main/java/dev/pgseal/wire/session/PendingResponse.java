package dev.pgseal.wire.session;

/**
 * One entry of a session's FIFO of expected responses: the frontend message that is waiting for
 * PostgreSQL's answer, with the statement and portal it concerns and a slot for the plan that later
 * work attaches (to rewrite a statement's parameters or decrypt its rows). Lives on the session's
 * event loop only; not thread-safe.
 */
public final class PendingResponse {
    /** Sub-protocol progress inside an entry. */
    enum Phase { START, AFTER_PARAMETER_DESCRIPTION, ROWS, COPY_IN, COPY_OUT, COPY_BOTH, AFTER_FUNCTION_RESULT }

    private final ResponseKind kind;
    private final String statementName;
    private final String portalName;
    private Object attachment;
    Phase phase = Phase.START;
    int resultIndex;
    boolean statementEnded;
    long sequence;
    boolean failed;
    /** Left the FIFO: answered, failed, or skipped by PostgreSQL. */
    boolean resolved;
    /** Sent by pgseal, not by the client: its responses are pgseal's. */
    boolean injected;
    /** Whether no extended-protocol message without its Sync came before it (see {@link #startsGroup()}). */
    boolean startsGroup;
    /** Recorded in the FIFO at least once (a requeued entry keeps what it was first recorded as). */
    boolean recorded;

    PendingResponse(ResponseKind kind, String statementName, String portalName) {
        this.kind = kind;
        this.statementName = statementName;
        this.portalName = portalName;
    }

    public ResponseKind kind() {
        return kind;
    }

    /**
     * The prepared statement concerned: for PARSE, DESCRIBE_STATEMENT and CLOSE of a statement its
     * name; for BIND the statement bound; for EXECUTE and DESCRIBE_PORTAL the statement the portal
     * was bound from as far as pgseal saw; "" is the unnamed statement; {@code null} when none.
     */
    public String statementName() {
        return statementName;
    }

    /** The portal concerned (BIND, DESCRIBE_PORTAL, EXECUTE, CLOSE of a portal), "" unnamed, else {@code null}. */
    public String portalName() {
        return portalName;
    }

    /** For QUERY: which statement of the query string the current result belongs to (0-based). */
    public int resultIndex() {
        return resultIndex;
    }

    /** Whether PostgreSQL answered this entry with an ErrorResponse. */
    public boolean failed() {
        return failed;
    }

    /** Whether PostgreSQL is done with this entry: answered, failed, or skipped after an error. */
    public boolean resolved() {
        return resolved;
    }

    /**
     * Whether the message starts a new exchange: every message recorded before it was a Query, a
     * FunctionCall or a Sync (or none), so no extended-protocol Sync group is open. Messages injected
     * ahead of it may then form a Sync group of their own.
     */
    public boolean startsGroup() {
        return startsGroup;
    }

    /** Whether pgseal injected the message (its responses never reach the client). */
    public boolean injected() {
        return injected;
    }

    /**
     * The plan (or any state) attached by a {@link dev.pgseal.wire.StatementInterceptor}; {@code null} if none.
     * The entry of a Parse refused with {@link dev.pgseal.wire.Interception#refuse} holds its
     * {@link dev.pgseal.wire.SessionRefusal}.
     */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object newAttachment) {
        this.attachment = newAttachment;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(kind.name());
        if (statementName != null) {
            sb.append(" statement=\"").append(statementName).append('"');
        }
        if (portalName != null) {
            sb.append(" portal=\"").append(portalName).append('"');
        }
        if (phase != Phase.START) {
            sb.append(' ').append(phase);
        }
        return sb.toString();
    }
}
