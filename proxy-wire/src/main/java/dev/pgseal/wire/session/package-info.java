/**
 * Client sessions of the proxy: one {@link dev.pgseal.wire.session.ProxySession} per client, with its
 * own PostgreSQL connection on the same event loop (one thread per session, no locks).
 *
 * <h2>The FIFO of expected responses</h2>
 * {@link dev.pgseal.wire.session.ResponseTracker} keeps, per session, a queue of
 * {@link dev.pgseal.wire.session.PendingResponse} entries in the order the client sent the
 * messages PostgreSQL answers (Query, Parse, Bind, Describe, Execute, Close, Sync, FunctionCall;
 * Flush and CopyData get none). Each backend message is matched to the head entry by type and the
 * entry's phase (e.g. Describe(S): ParameterDescription, then RowDescription or NoData; Execute:
 * DataRow*, then CommandComplete, EmptyQueryResponse or PortalSuspended; Query: everything until
 * ReadyForQuery, counting statements in {@code resultIndex}). NoticeResponse, NotificationResponse
 * and ParameterStatus match no entry. An ErrorResponse to an extended-protocol entry drops the
 * entries up to the next Sync (or, with no Sync queued yet, skips the client's messages until one
 * arrives), as PostgreSQL does. CopyInResponse makes the entries the client pipelined before its
 * CopyDone/CopyFail vanish (the COPY consumed them). A backend message that no entry expects is a
 * {@link dev.pgseal.wire.session.ProtocolMismatchException}: the session ends with 08P01, never
 * guesses. Entries carry the statement and portal names and an attachment slot for a plan, which
 * (when a {@link dev.pgseal.wire.StatementInterceptor} is active) follows the statement from Parse
 * to Bind, Describe and Execute.
 *
 * <h2>Relay</h2>
 * Frames arrive in batches (all whole frames of a read); frames relayed unchanged leave as one
 * slice per run, written during the read and flushed once in {@code channelReadComplete}. Only
 * the type byte (and the names for Parse/Bind/Describe/Execute/Close) is read on the hot path.
 * Backpressure: a side stops reading while the other side's channel is not writable.
 */
package dev.pgseal.wire.session;
