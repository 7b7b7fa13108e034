package dev.pgseal.wire;

import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.session.PendingResponse;
import io.netty.buffer.ByteBuf;

/**
 * Per-session callbacks on the statements a client sends and the results matched to them. The
 * session calls it on its event loop, in protocol order; implementations must not block. Each call
 * receives the {@link PendingResponse} (FIFO entry) of the message, where a plan can be attached
 * with {@link PendingResponse#attach(Object)} and found again when the responses arrive. An
 * attachment follows the statement: the entries of a later Describe or Bind of the same statement
 * start with the attachment of its Parse, and Describe(P) and Execute of a portal with that of its
 * Bind (so a plan attached at Parse reaches the RowDescriptions and DataRows of every execution).
 *
 * <p>Query, Parse and Bind reach the interceptor even when PostgreSQL will discard them (during
 * COPY IN, or while it skips to Sync after an error): then {@code entry} is {@code null}. Screen
 * them all the same; discarded or not, the bytes reach the server.
 *
 * <p>With {@link #NONE} the session decodes nothing and relays frames untouched. Any other
 * interceptor makes the session decode Query, Parse, Bind and RowDescription (DataRow only for
 * entries that carry an attachment).
 *
 * <p>A callback that throws ends the session with an internal error (SQLSTATE XX000); the session
 * releases the frame it was handling, so a callback must not release a frame and then throw.
 */
public interface StatementInterceptor {
    /** Observes nothing: the pure relay. */
    StatementInterceptor NONE = new StatementInterceptor() {
    };

    /**
     * A simple Query; {@code entry} collects every statement's results until ReadyForQuery.
     *
     * @return {@code null} to send the client's message as it is, or a whole replacement frame
     *     (type byte, length, body) of the same type, which the session sends instead and owns
     */
    default ByteBuf onQuery(Query query, PendingResponse entry) {
        return null;
    }

    /**
     * A Parse; {@code entry.statementName()} is the statement's name.
     *
     * @return {@code null}, or a replacement Parse frame for the same statement name (the FIFO
     *     already expects a ParseComplete for that name)
     */
    default ByteBuf onParse(Parse parse, PendingResponse entry) {
        return null;
    }

    /**
     * A Bind; {@code entry} names the statement and portal.
     *
     * @return {@code null}, or a replacement Bind frame for the same portal and statement
     */
    default ByteBuf onBind(Bind bind, PendingResponse entry) {
        return null;
    }

    /**
     * A RowDescription answering {@code entry} (a QUERY, a DESCRIBE_STATEMENT or a DESCRIBE_PORTAL).
     * For a QUERY, {@code entry.resultIndex()} tells which statement of the string it describes.
     */
    default void onRowDescription(RowDescription description, PendingResponse entry) {
    }

    /**
     * A DataRow answering {@code entry}, called only when the entry has an attachment. Receives the
     * whole frame (type byte, length, body) and owns it; returns the frame to send on (the same one,
     * or a new one after releasing the original).
     */
    default ByteBuf onDataRow(ByteBuf frame, PendingResponse entry) {
        return frame;
    }

    /** The session ended. */
    default void onSessionClosed() {
    }
}
