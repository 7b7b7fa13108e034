package dev.pgseal.wire.session;

import dev.pgseal.wire.protocol.FrontendMessageType;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The FIFO of expected responses of one session: every frontend message that PostgreSQL answers
 * enqueues a {@link PendingResponse} in the order the client sent it, and every backend message is
 * matched to the entry at the head (or to none, for asynchronous messages). It follows PostgreSQL's
 * own rules: an ErrorResponse to an extended-protocol message makes PostgreSQL ignore everything up
 * to the next Sync, so those entries are dropped; a COPY FROM STDIN consumes the client's messages up
 * to its CopyDone or CopyFail. A backend message no entry expects throws
 * {@link ProtocolMismatchException}. Pure state, no I/O: the session calls it from its event loop.
 */
public final class ResponseTracker {
    private final ArrayDeque<PendingResponse> queue = new ArrayDeque<>();
    /** An extended-protocol error happened with no Sync queued: PostgreSQL ignores messages until Sync. */
    private boolean skippingUntilSync;
    /** PostgreSQL is in COPY FROM STDIN and the client has not ended it yet. */
    private boolean copyInOpen;
    /** Portal → statement as the client bound them (the client's view, used to label entries). */
    private final Map<String, Binding> boundPortals = new HashMap<>();
    /** Sequence number of the next frontend entry; orders Binds against the ReadyForQuery that ends their transaction. */
    private long nextSequence;
    /** Sequence of the entry answered by the latest ReadyForQuery. */
    private long lastReadySequence;

    /** A portal as the client bound it: the statement and when. */
    private record Binding(String statement, long sequence) {
    }
    /** What PostgreSQL confirmed: statements and portals with their plans. */
    private final StatementRegistry registry = new StatementRegistry();
    /** Per statement name, the latest Parse or Close of it still in the FIFO. */
    private final Map<String, PendingResponse> pendingStatementChange = new HashMap<>();
    /** Per portal name, the latest Bind or Close of it still in the FIFO. */
    private final Map<String, PendingResponse> pendingPortalChange = new HashMap<>();
    /** Sequence of the latest Sync enqueued (-1: none). */
    private long lastSyncSequence = -1;
    /** Sequence of the latest entry enqueued, and of the latest one answered with ReadyForQuery as its end. */
    private long lastEntrySequence = -1;
    private long lastReadyPointSequence = -1;
    /** The latest entry recorded (a requeued one counts where it went again), or null. */
    private PendingResponse lastAdded;
    /** When set, entries of Describe, Bind and Execute start with the plan of their statement or portal. */
    private boolean propagateAttachments;

    /**
     * Makes attachments follow the statement as PostgreSQL confirmed it: an entry for Describe(S) or
     * Bind starts with the plan of its statement, Describe(P) and Execute with that of their portal —
     * the plan in the {@link #registry()}, or that of a Parse (Bind) of the same name still in flight
     * in the same Sync group (if that one fails, PostgreSQL skips the message anyway). Off by default:
     * the plain relay does not pay for the lookups.
     */
    public void propagateAttachments() {
        propagateAttachments = true;
    }

    /** The statements and portals PostgreSQL confirmed. */
    public StatementRegistry registry() {
        return registry;
    }

    /**
     * Records a frontend message. Returns the new entry, or {@code null} when the message gets no
     * response (Flush, CopyData, a message PostgreSQL will skip or a COPY will consume).
     *
     * @param type the message type
     * @param target for Describe and Close: {@code 'S'} or {@code 'P'}; else ignored
     * @param name1 Parse: statement; Bind: portal; Describe/Close: the name; Execute: portal
     * @param name2 Bind: statement; else ignored
     */
    public PendingResponse onFrontend(FrontendMessageType type, char target, String name1, String name2) {
        switch (type) {
            case COPY_DONE, COPY_FAIL -> {
                if (copyInOpen) {
                    copyInOpen = false;
                    return null;
                }
                // Pipelined before PostgreSQL's CopyInResponse, or outside COPY (then ignored by PostgreSQL).
                return add(new PendingResponse(ResponseKind.COPY_END, null, null));
            }
            case COPY_DATA, FLUSH, PASSWORD, TERMINATE -> {
                return null;
            }
            default -> {
            }
        }
        if (copyInOpen) {
            return null; // consumed by the COPY loop (Sync and Flush ignored, anything else makes it fail)
        }
        if (skippingUntilSync) {
            if (type != FrontendMessageType.SYNC) {
                return null;
            }
            skippingUntilSync = false;
        }
        PendingResponse entry = switch (type) {
            case QUERY -> new PendingResponse(ResponseKind.QUERY, null, null);
            case PARSE -> new PendingResponse(ResponseKind.PARSE, name1, null);
            case BIND -> new PendingResponse(ResponseKind.BIND, name2, name1);
            case DESCRIBE -> target == 'S'
                    ? new PendingResponse(ResponseKind.DESCRIBE_STATEMENT, name1, null)
                    : new PendingResponse(ResponseKind.DESCRIBE_PORTAL, boundStatement(name1), name1);
            case EXECUTE -> new PendingResponse(ResponseKind.EXECUTE, boundStatement(name1), name1);
            case CLOSE -> target == 'S'
                    ? new PendingResponse(ResponseKind.CLOSE, name1, null)
                    : new PendingResponse(ResponseKind.CLOSE, null, name1);
            case SYNC -> new PendingResponse(ResponseKind.SYNC, null, null);
            case FUNCTION_CALL -> new PendingResponse(ResponseKind.FUNCTION_CALL, null, null);
            default -> throw new IllegalArgumentException("not a request: " + type);
        };
        if (propagateAttachments) {
            switch (entry.kind()) {
                case BIND, DESCRIBE_STATEMENT -> entry.attach(statementPlan(entry.statementName()));
                case DESCRIBE_PORTAL, EXECUTE -> entry.attach(portalPlan(entry.portalName()));
                default -> {
                }
            }
        }
        return add(entry);
    }

    /**
     * The plan a message naming statement {@code name} will run with, as far as known now: that of a
     * Parse of it in flight in the current Sync group, else the confirmed one.
     */
    private Object statementPlan(String name) {
        PendingResponse change = name == null ? null : pendingStatementChange.get(name);
        if (change != null && change.kind() == ResponseKind.PARSE && change.sequence > lastSyncSequence) {
            return change.attachment();
        }
        return name == null ? null : registry.statementPlan(name);
    }

    private Object portalPlan(String name) {
        PendingResponse change = name == null ? null : pendingPortalChange.get(name);
        if (change != null && change.kind() == ResponseKind.BIND && change.sequence > lastSyncSequence) {
            return change.attachment();
        }
        return name == null ? null : registry.portalPlan(name);
    }

    /**
     * For a Bind (of statement {@code statement}), Describe or Execute about to be recorded: the entry
     * whose outcome decides which statement or portal it will use, when that is not known yet — a
     * Parse, Bind or Close of the same name still in flight with a Sync between it and now (PostgreSQL
     * will run this message whether that one fails or not). {@code null} when the plan is determined.
     *
     * @param target for Describe: {@code 'S'} or {@code 'P'}; else ignored
     * @param name Bind: the statement; Describe: the name; Execute: the portal
     */
    public PendingResponse undeterminedBy(FrontendMessageType type, char target, String name) {
        if (skippingUntilSync && type != FrontendMessageType.SYNC || copyInOpen) {
            return null; // PostgreSQL will not run it
        }
        PendingResponse change = switch (type) {
            case BIND -> pendingStatementChange.get(name);
            case DESCRIBE -> target == 'S' ? pendingStatementChange.get(name) : pendingPortalChange.get(name);
            case EXECUTE -> pendingPortalChange.get(name);
            default -> null;
        };
        return change != null && !change.resolved && change.sequence < lastSyncSequence ? change : null;
    }

    /**
     * Whether every entry recorded so far was answered up to a ReadyForQuery that ends it (nothing in
     * flight, no extended-protocol message after the latest Sync, no COPY, no skipping).
     */
    public boolean isSettled() {
        return head() == null && !copyInOpen && !skippingUntilSync && lastEntrySequence == lastReadyPointSequence;
    }

    /**
     * Takes back the entry just recorded (the tail) because the message is being replaced; it is
     * {@linkplain #requeue requeued} when its replacement is sent, else resolved.
     */
    void withdraw(PendingResponse entry) {
        if (entry == null) {
            return;
        }
        if (queue.peekLast() != entry) {
            throw new IllegalStateException("only the latest entry can be withdrawn");
        }
        queue.pollLast();
    }

    /** Records a withdrawn entry again, at the tail (after frames injected before it). */
    void requeue(PendingResponse entry) {
        add(entry);
    }

    /** Gives up a withdrawn entry whose message was not sent as such. */
    void abandon(PendingResponse entry) {
        if (entry != null) {
            resolve(entry);
        }
    }

    private String boundStatement(String portal) {
        Binding b = boundPortals.get(portal);
        return b == null ? null : b.statement();
    }

    private PendingResponse add(PendingResponse entry) {
        if (!entry.recorded) {
            entry.recorded = true;
            entry.startsGroup = lastAdded == null || lastAdded.kind() == ResponseKind.SYNC
                    || lastAdded.kind() == ResponseKind.QUERY || lastAdded.kind() == ResponseKind.FUNCTION_CALL;
        }
        if (entry.kind() != ResponseKind.COPY_END) {
            lastAdded = entry;
        }
        entry.sequence = nextSequence++;
        queue.addLast(entry);
        switch (entry.kind()) {
            case PARSE -> pendingStatementChange.put(entry.statementName(), entry);
            case BIND -> {
                boundPortals.put(entry.portalName(), new Binding(entry.statementName(), entry.sequence));
                pendingPortalChange.put(entry.portalName(), entry);
            }
            case CLOSE -> {
                if (entry.statementName() != null) {
                    pendingStatementChange.put(entry.statementName(), entry);
                } else {
                    pendingPortalChange.put(entry.portalName(), entry);
                }
            }
            case SYNC -> lastSyncSequence = entry.sequence;
            default -> {
            }
        }
        if (entry.kind() != ResponseKind.COPY_END) {
            lastEntrySequence = entry.sequence;
        }
        return entry;
    }

    /** The entry left the FIFO (answered, failed or skipped). */
    private void resolve(PendingResponse entry) {
        entry.resolved = true;
        if (entry.statementName() != null) {
            pendingStatementChange.remove(entry.statementName(), entry);
        }
        if (entry.portalName() != null) {
            pendingPortalChange.remove(entry.portalName(), entry);
        }
    }

    /** PostgreSQL answered {@code entry} with ReadyForQuery. */
    private void readyAnswered(PendingResponse entry) {
        lastReadySequence = entry.sequence;
        lastReadyPointSequence = entry.sequence;
    }

    /**
     * Matches a backend message (by type byte) to the entry it answers and advances the FIFO.
     * Returns that entry (still readable after it was completed and removed), or {@code null} for
     * an asynchronous message (NoticeResponse, NotificationResponse, ParameterStatus, or an
     * ErrorResponse while nothing is pending, as PostgreSQL sends before closing a session).
     *
     * @throws ProtocolMismatchException when no pending entry expects this message
     */
    public PendingResponse onBackend(byte type) {
        switch (type) {
            case 'N', 'A', 'S' -> {
                return null;
            }
            default -> {
            }
        }
        PendingResponse head = head();
        if (head == null) {
            if (type == 'E') {
                return null;
            }
            throw mismatch(type, null);
        }
        switch (head.kind()) {
            case QUERY -> matchQuery(head, type);
            case PARSE -> completeIf(head, type, '1');
            case BIND -> completeIf(head, type, '2');
            case CLOSE -> completeIf(head, type, '3');
            case DESCRIBE_PORTAL -> {
                if (type == 'T' || type == 'n') {
                    complete(head);
                } else {
                    failOrMismatch(head, type);
                }
            }
            case DESCRIBE_STATEMENT -> {
                if (head.phase == PendingResponse.Phase.START && type == 't') {
                    head.phase = PendingResponse.Phase.AFTER_PARAMETER_DESCRIPTION;
                } else if (head.phase == PendingResponse.Phase.AFTER_PARAMETER_DESCRIPTION && (type == 'T' || type == 'n')) {
                    complete(head);
                } else {
                    failOrMismatch(head, type);
                }
            }
            case EXECUTE -> matchExecute(head, type);
            case SYNC -> {
                if (type == 'Z') {
                    readyAnswered(head);
                    complete(head);
                } else if (type == 'E') {
                    head.failed = true; // e.g. COMMIT of the implicit transaction failed; ReadyForQuery follows
                } else {
                    throw mismatch(type, head);
                }
            }
            case FUNCTION_CALL -> {
                if (type == 'V' && head.phase == PendingResponse.Phase.START) {
                    head.phase = PendingResponse.Phase.AFTER_FUNCTION_RESULT;
                } else if (type == 'E' && head.phase == PendingResponse.Phase.START) {
                    head.failed = true;
                    head.phase = PendingResponse.Phase.AFTER_FUNCTION_RESULT;
                } else if (type == 'Z' && head.phase == PendingResponse.Phase.AFTER_FUNCTION_RESULT) {
                    readyAnswered(head);
                    complete(head);
                } else {
                    throw mismatch(type, head);
                }
            }
            default -> throw mismatch(type, head);
        }
        return head;
    }

    /** The head entry, dropping COPY_END markers that no COPY consumed (PostgreSQL ignored those messages). */
    private PendingResponse head() {
        PendingResponse head = queue.peekFirst();
        while (head != null && head.kind() == ResponseKind.COPY_END) {
            resolve(queue.pollFirst());
            head = queue.peekFirst();
        }
        return head;
    }

    private void matchQuery(PendingResponse head, byte type) {
        if (head.statementEnded && type != 'N' && type != 'A' && type != 'S') {
            head.statementEnded = false;
            head.resultIndex++;
        }
        PendingResponse.Phase phase = head.phase;
        switch (phase) {
            case COPY_IN -> {
                if (type == 'C' || type == 'E') {
                    endCopyIn(head, type);
                    head.phase = PendingResponse.Phase.START;
                    head.statementEnded = true;
                    return;
                }
                throw mismatch(type, head);
            }
            case COPY_OUT, COPY_BOTH -> {
                if (type == 'd' || type == 'c') {
                    return;
                }
                if (type == 'C' || type == 'E') {
                    copyInOpen = false;
                    head.phase = PendingResponse.Phase.START;
                    head.statementEnded = true;
                    return;
                }
                throw mismatch(type, head);
            }
            default -> {
            }
        }
        switch (type) {
            case 'T' -> head.phase = PendingResponse.Phase.ROWS;
            case 'D' -> {
                if (phase != PendingResponse.Phase.ROWS) {
                    throw mismatch(type, head);
                }
            }
            case 'C', 'I' -> {
                head.phase = PendingResponse.Phase.START;
                head.statementEnded = true;
            }
            case 'E' -> {
                head.failed = true;
                head.phase = PendingResponse.Phase.START;
                head.statementEnded = true;
            }
            case 'G' -> startCopyIn(head, false);
            case 'H' -> head.phase = PendingResponse.Phase.COPY_OUT;
            case 'W' -> startCopyIn(head, true);
            case 'Z' -> {
                resolve(queue.pollFirst());
                readyAnswered(head);
                registry.unnamedReplaced();
            }
            default -> throw mismatch(type, head);
        }
    }

    private void matchExecute(PendingResponse head, byte type) {
        switch (head.phase) {
            case COPY_IN -> {
                if (type == 'C') {
                    endCopyIn(head, type);
                    complete(head);
                } else if (type == 'E') {
                    endCopyIn(head, type);
                    fail(head);
                } else {
                    throw mismatch(type, head);
                }
                return;
            }
            case COPY_OUT, COPY_BOTH -> {
                if (type == 'd' || type == 'c') {
                    return;
                }
                if (type == 'C') {
                    copyInOpen = false;
                    complete(head);
                } else if (type == 'E') {
                    copyInOpen = false;
                    fail(head);
                } else {
                    throw mismatch(type, head);
                }
                return;
            }
            default -> {
            }
        }
        switch (type) {
            case 'D' -> head.phase = PendingResponse.Phase.ROWS;
            case 'C', 'I', 's' -> complete(head);
            case 'E' -> fail(head);
            case 'G' -> startCopyIn(head, false);
            case 'H' -> head.phase = PendingResponse.Phase.COPY_OUT;
            case 'W' -> startCopyIn(head, true);
            default -> throw mismatch(type, head);
        }
    }

    /**
     * PostgreSQL entered COPY FROM STDIN: it now reads the client's messages itself until CopyDone
     * or CopyFail. Entries the client queued behind this one before that point get no response.
     */
    private void startCopyIn(PendingResponse head, boolean both) {
        head.phase = both ? PendingResponse.Phase.COPY_BOTH : PendingResponse.Phase.COPY_IN;
        Iterator<PendingResponse> it = queue.iterator();
        it.next(); // head
        boolean ended = false;
        while (it.hasNext()) {
            PendingResponse e = it.next();
            it.remove();
            resolve(e);
            if (e.kind() == ResponseKind.COPY_END) {
                ended = true;
                break;
            }
        }
        copyInOpen = !ended;
    }

    private void endCopyIn(PendingResponse head, byte type) {
        // After an error PostgreSQL has left the COPY: whatever the client still sends is read normally.
        copyInOpen = false;
    }

    private void completeIf(PendingResponse head, byte type, char expected) {
        if (type == expected) {
            complete(head);
        } else {
            failOrMismatch(head, type);
        }
    }

    private void failOrMismatch(PendingResponse head, byte type) {
        if (type == 'E') {
            fail(head);
        } else {
            throw mismatch(type, head);
        }
    }

    private void complete(PendingResponse head) {
        resolve(queue.pollFirst());
        switch (head.kind()) {
            case PARSE -> registry.parseConfirmed(head.statementName(), head.attachment());
            case BIND -> registry.bindConfirmed(head.portalName(), head.statementName(), head.attachment());
            case CLOSE -> {
                if (head.statementName() != null) {
                    registry.statementClosed(head.statementName());
                } else {
                    registry.portalClosed(head.portalName());
                }
            }
            default -> {
            }
        }
    }

    /** An ErrorResponse answered an extended-protocol entry: PostgreSQL skips to the next Sync. */
    private void fail(PendingResponse head) {
        head.failed = true;
        resolve(queue.pollFirst());
        while (!queue.isEmpty() && queue.peekFirst().kind() != ResponseKind.SYNC) {
            resolve(queue.pollFirst());
        }
        if (queue.isEmpty()) {
            skippingUntilSync = true;
        }
    }

    /** Called with the transaction status of each ReadyForQuery: portals end with their transaction. */
    public void onTransactionStatus(char status) {
        if (status == 'I') {
            registry.transactionEnded();
            // Portals the client bound before the message this ReadyForQuery answers are gone too;
            // later Binds (pipelined into the next transaction) stay.
            long end = lastReadySequence;
            boundPortals.values().removeIf(b -> b.sequence() < end);
        }
    }

    /** The client ran {@code DEALLOCATE ALL} or {@code DISCARD ALL}: no prepared statement remains. */
    public void onAllStatementsDeallocated() {
        registry.allStatementsDeallocated();
    }

    private static ProtocolMismatchException mismatch(byte type, PendingResponse head) {
        return new ProtocolMismatchException("unexpected backend message " + FrontendMessageType.describe(type)
                + (head == null ? " with no request pending" : " while waiting for " + head));
    }

    /** Entries waiting for a response, oldest first (a snapshot). */
    public java.util.List<PendingResponse> pending() {
        return java.util.List.copyOf(queue);
    }

    /**
     * Whether PostgreSQL now skips up to a Sync that pgseal injected (an error among injected
     * messages that formed their own Sync group: the client need not hear of it).
     */
    public boolean skipsOnlyInjected() {
        PendingResponse head = head();
        return head != null && head.kind() == ResponseKind.SYNC && head.injected;
    }

    /** Whether nothing is pending. */
    public boolean isIdle() {
        return queue.isEmpty() && !copyInOpen;
    }

    /** Whether PostgreSQL is reading a COPY FROM STDIN that the client has not ended yet. */
    public boolean isCopyInOpen() {
        return copyInOpen;
    }

    /** Whether PostgreSQL is ignoring messages until the next Sync. */
    public boolean isSkippingUntilSync() {
        return skippingUntilSync;
    }

    /** Portals the client bound whose transaction has not ended yet, as far as pgseal saw (diagnostics). */
    public int boundPortalCount() {
        return boundPortals.size();
    }

    /** Prepared statements PostgreSQL confirmed (ParseComplete) and that were not closed since. */
    public Set<String> preparedStatements() {
        return registry.statementNames();
    }

    /** Open portals PostgreSQL confirmed (BindComplete), portal → statement. */
    public Map<String, String> openPortals() {
        return registry.portalStatements();
    }
}
