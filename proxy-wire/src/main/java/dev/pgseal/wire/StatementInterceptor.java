package dev.pgseal.wire;

import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.backend.ErrorFields;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterDescription;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.FunctionCall;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.session.PendingResponse;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Per-session callbacks on the statements a client sends and the results matched to them. The
 * session calls it on its event loop, in protocol order; implementations must not block. Each call
 * receives the {@link PendingResponse} (FIFO entry) of the message, where a plan can be attached
 * with {@link PendingResponse#attach(Object)} and found again when the responses arrive. An
 * attachment follows the statement as PostgreSQL confirmed it: the entries of a later Describe or
 * Bind of a statement start with the attachment of the Parse that created it (ParseComplete), and
 * Describe(P) and Execute of a portal with that of the Bind that created it (BindComplete), so a plan
 * attached at Parse reaches the RowDescriptions and DataRows of every execution. A Parse or Bind that
 * failed, or that PostgreSQL skipped after an error, leaves the previous plan in force; Close,
 * {@code DEALLOCATE ALL} and {@code DISCARD ALL} remove plans, a simple Query the unnamed statement's
 * and portal's, the end of a transaction the portals'. Within one Sync group a Bind gets the plan of a
 * Parse still in flight (if it fails, PostgreSQL skips the Bind); across a Sync the session waits for
 * the Parse's outcome before it handles the Bind.
 *
 * <p>The {@code intercept…} methods return an {@link Interception}: pass, replace (with several
 * frames, some of them injected), refuse (PostgreSQL itself raises the error) or suspend (the session
 * stops reading the client until a stage completes). Their defaults call the older {@code on…}
 * methods, whose replacement frame means {@link Interception#replace(ByteBuf)}.
 *
 * <p>Query, Parse and Bind reach the interceptor even when PostgreSQL will discard them (during
 * COPY IN, or while it skips to Sync after an error): then {@code entry} is {@code null}. Screen
 * them all the same; discarded or not, the bytes reach the server.
 *
 * <p>With {@link #NONE} the session decodes nothing and relays frames untouched. Any other
 * interceptor makes the session decode Query, Parse, Bind, FunctionCall, RowDescription,
 * ParameterDescription, ErrorResponse, NoticeResponse and ParameterStatus (DataRow only for entries that carry an
 * attachment).
 *
 * <p>A callback that throws ends the session: with the callback's own SQLSTATE and message when it
 * throws {@link EndSession} (sent to the client as a FATAL ErrorResponse), else with an internal
 * error (SQLSTATE XX000). Either way the session releases the frame it was handling, so a callback
 * must not release a frame and then throw. {@link #onDataRow} may also throw {@link RetryLater}: the
 * session then stops reading PostgreSQL and calls it again with the same frame once a stage
 * completes.
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
     * whole frame (type byte, length, body) and owns it when it returns: it returns the frame to send
     * on (the same one, or a new one after releasing the original). When it throws, the frame is
     * still the session's (the callee must not have released it): {@link EndSession} ends the session
     * with its refusal; {@link RetryLater} pauses the backend direction (nothing more is read from
     * PostgreSQL, the rest of the batch is kept) until the stage completes, then the session calls
     * this method again with the same frame.
     */
    default ByteBuf onDataRow(ByteBuf frame, PendingResponse entry) {
        return frame;
    }

    /**
     * CopyData, CopyDone or CopyFail from the client: the stream of a COPY FROM STDIN (or bytes
     * PostgreSQL ignores outside COPY). They have no FIFO entry (no response of their own). The
     * decision is {@link Interception#pass()}, {@link Interception#relay(List)} (these frames go in
     * its place, recorded nowhere; none drops it) or a suspension (then {@link Interception#again()}).
     * Passes by default.
     *
     * @param body the message body (after type and length), valid during the call only
     */
    default Interception interceptCopyFromClient(FrontendMessageType type, ByteBuf body) {
        return Interception.pass();
    }

    /**
     * A CopyInResponse ({@code 'G'}) or CopyOutResponse ({@code 'H'}) answering {@code entry}: PostgreSQL
     * enters COPY with {@code columns} columns in {@code overallFormat} (0 text, 1 binary).
     */
    default void onCopyResponse(char type, int overallFormat, int columns, PendingResponse entry) {
    }

    /**
     * A CopyData from PostgreSQL (COPY TO STDOUT: one per row) answering {@code entry}, called only
     * when the entry has an attachment. Same contract as {@link #onDataRow}: it owns the whole frame
     * when it returns and returns the frame to send; {@link EndSession} and {@link RetryLater} as there.
     */
    default ByteBuf onCopyData(ByteBuf frame, PendingResponse entry) {
        return frame;
    }

    /** A simple Query; by default {@link #onQuery}. */
    default Interception interceptQuery(Query query, PendingResponse entry) {
        return orPass(onQuery(query, entry));
    }

    /** A Parse; by default {@link #onParse}. */
    default Interception interceptParse(Parse parse, PendingResponse entry) {
        return orPass(onParse(parse, entry));
    }

    /**
     * A Bind; by default {@link #onBind}. Not called for a Bind of a statement refused with
     * {@link Interception#refuse}: the session sends that one with no parameter values.
     */
    default Interception interceptBind(Bind bind, PendingResponse entry) {
        return orPass(onBind(bind, entry));
    }

    /** A FunctionCall ('F'), the legacy fast-path call of a function by OID. Passes by default. */
    default Interception interceptFunctionCall(FunctionCall call, PendingResponse entry) {
        return Interception.pass();
    }

    /**
     * A RowDescription answering {@code entry}: return it to send it on unchanged (the same
     * instance), or a replacement. By default calls {@link #onRowDescription} and returns it.
     */
    default RowDescription rewriteRowDescription(RowDescription description, PendingResponse entry) {
        onRowDescription(description, entry);
        return description;
    }

    /** A ParameterDescription answering a Describe(S): the same instance to send it on, or a replacement. */
    default ParameterDescription rewriteParameterDescription(ParameterDescription description, PendingResponse entry) {
        return description;
    }

    /**
     * An ErrorResponse ({@code entry} is the message it answers, {@code null} when none): the same
     * instance to send it on, or a replacement (for example with {@link ErrorResponse#withPosition}
     * mapping the cursor position back to the client's text, and no ciphertext in the message).
     */
    default ErrorResponse rewriteError(ErrorResponse error, PendingResponse entry) {
        return error;
    }

    /**
     * A NoticeResponse (a warning or notice PostgreSQL sent at any time): the same instance to send it
     * on, or replacement fields (for example with no ciphertext in them).
     */
    default ErrorFields rewriteNotice(ErrorFields notice) {
        return notice;
    }

    /**
     * A response to a message the interceptor injected ({@link Interception.Outgoing#injected}). The
     * frame (type, length, body) is only valid during the call and is not the callee's to release.
     */
    default void onInjectedResponse(ByteBuf frame, PendingResponse entry) {
    }

    /**
     * PostgreSQL reported a run-time parameter (the reports of the authentication phase are replayed
     * once, right after the session opened the interceptor). Returning a refusal ends the session with
     * a FATAL error carrying it.
     */
    default SessionRefusal onParameterStatus(ParameterStatus status) {
        return null;
    }

    private static Interception orPass(ByteBuf replacement) {
        return replacement == null ? Interception.pass() : Interception.replace(replacement);
    }

    /** The session ended. */
    default void onSessionClosed() {
    }

    /**
     * Thrown by a response callback that cannot let the session go on: the session sends
     * {@link #refusal()} to the client as a FATAL ErrorResponse after what it relayed so far, and
     * closes. For results that cannot be delivered once PostgreSQL has executed the statement (a
     * value that is not a valid envelope, a key that cannot be loaded): the transaction state the
     * client would see could no longer match PostgreSQL's. Carries no stack trace.
     */
    final class EndSession extends RuntimeException {
        private final SessionRefusal refusal;

        public EndSession(SessionRefusal refusal) {
            super(Objects.requireNonNull(refusal, "refusal").sqlState(), null, false, false);
            this.refusal = refusal;
        }

        /** What the client is told. */
        public SessionRefusal refusal() {
            return refusal;
        }
    }

    /**
     * Thrown by {@link #onDataRow} when the row cannot be handled without waiting (a key version not
     * in memory): the session stops reading PostgreSQL without blocking its event loop and calls
     * {@code onDataRow} again with the same frame once {@link #ready()} completes, whether it failed
     * or not (the callee decides then). Control flow, not a failure: no stack trace.
     */
    final class RetryLater extends RuntimeException {
        private final CompletionStage<?> ready;

        public RetryLater(CompletionStage<?> ready) {
            super("retry later", null, false, false);
            this.ready = Objects.requireNonNull(ready, "ready");
        }

        /** Completes when the row may be tried again. */
        public CompletionStage<?> ready() {
            return ready;
        }
    }
}
