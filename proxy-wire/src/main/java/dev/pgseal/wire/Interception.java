package dev.pgseal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What the session does with a client message an {@link StatementInterceptor} saw: send it as it
 * is, send other frames in its place, make PostgreSQL refuse it, or wait for a slow step first.
 * Frames handed over belong to the session from then on (it sends or releases them).
 *
 * <p>In a replacement, exactly one frame {@linkplain Outgoing#answered() is answered to the client}:
 * its responses take the place of the client's message's, and the message's
 * {@link dev.pgseal.wire.session.PendingResponse} (with its attachment) follows it. Every other frame is
 * {@linkplain Outgoing#injected(ByteBuf) injected}: its responses go to
 * {@link StatementInterceptor#onInjectedResponse} and never to the client (except an ErrorResponse to
 * an injected extended-protocol message: PostgreSQL then skips the client's messages up to Sync, so
 * the client is told).
 */
public final class Interception {
    private static final Interception PASS = new Interception(Kind.PASS, List.of(), null, null);
    private static final Interception AGAIN = new Interception(Kind.AGAIN, List.of(), null, null);

    /** The kinds of decision. */
    public enum Kind {
        /** Send the client's message as it is. */
        PASS,
        /** Send {@link #frames()} instead. */
        REPLACE,
        /** Make PostgreSQL raise {@link #refusal()} in place of the message (Query, Parse, FunctionCall). */
        REFUSE,
        /** Stop reading client input until {@link #later()} completes, then apply its decision. */
        SUSPEND,
        /** Only as the outcome of a suspension: hand the same message to the interceptor again. */
        AGAIN
    }

    /**
     * One frame to send to PostgreSQL.
     *
     * @param frame a whole frame (type, length, body)
     * @param answered whether its responses go to the client (in place of the client message's)
     */
    public record Outgoing(ByteBuf frame, boolean answered) {
        public Outgoing {
            Objects.requireNonNull(frame, "frame");
        }

        /** The frame that stands for the client's message. */
        public static Outgoing answered(ByteBuf frame) {
            return new Outgoing(frame, true);
        }

        /** A frame the client did not send, whose responses pgseal consumes. */
        public static Outgoing injected(ByteBuf frame) {
            return new Outgoing(frame, false);
        }
    }

    private final Kind kind;
    private final List<Outgoing> frames;
    private final SessionRefusal refusal;
    private final CompletionStage<Interception> later;

    private Interception(Kind kind, List<Outgoing> frames, SessionRefusal refusal, CompletionStage<Interception> later) {
        this.kind = kind;
        this.frames = frames;
        this.refusal = refusal;
        this.later = later;
    }

    /** Send the client's message unchanged. */
    public static Interception pass() {
        return PASS;
    }

    /** Send {@code frame} instead of the client's message; its responses go to the client. */
    public static Interception replace(ByteBuf frame) {
        return new Interception(Kind.REPLACE, List.of(Outgoing.answered(frame)), null, null);
    }

    /**
     * Send {@code frames} in this order instead of the client's message; exactly one of them is
     * {@linkplain Outgoing#answered() answered} to the client.
     */
    public static Interception replace(List<Outgoing> frames) {
        List<Outgoing> copy = List.copyOf(frames);
        long answered = copy.stream().filter(Outgoing::answered).count();
        if (answered != 1) {
            copy.forEach(o -> ReferenceCountUtil.release(o.frame()));
            throw new IllegalArgumentException("a replacement must answer the client exactly once, has " + answered);
        }
        return new Interception(Kind.REPLACE, copy, null, null);
    }

    /**
     * For CopyData, CopyDone and CopyFail from the client only: send {@code frames} (whole frames, in
     * order; none drops the message) in its place. They get no response and are recorded nowhere.
     */
    public static Interception relay(List<ByteBuf> frames) {
        return new Interception(Kind.REPLACE, frames.stream().map(Outgoing::injected).toList(), null, null);
    }

    /**
     * PostgreSQL raises {@code refusal} in place of the message, so an open transaction fails exactly
     * as if the statement had. For a Parse, the prepared statement then holds the refusal as its plan
     * (attachment), and every Bind of it is sent with no parameter values.
     */
    public static Interception refuse(SessionRefusal refusal) {
        return new Interception(Kind.REFUSE, List.of(), Objects.requireNonNull(refusal, "refusal"), null);
    }

    /**
     * The session stops reading client input, without blocking its event loop, until {@code later}
     * completes; it then applies that decision (on its event loop) and continues where it stopped.
     * A stage that fails ends the session with an internal error.
     */
    public static Interception suspend(CompletionStage<Interception> later) {
        return new Interception(Kind.SUSPEND, List.of(), null, Objects.requireNonNull(later, "later"));
    }

    /**
     * Like {@link #suspend(CompletionStage)}, but {@code injectedFirst} (whole frames the client did
     * not send, in order) go to PostgreSQL right away, ahead of the client's message; their responses
     * go to {@link StatementInterceptor#onInjectedResponse}. For asking PostgreSQL something the
     * decision depends on. They must form a complete Sync group of their own when the message starts
     * one, so an error among them never reaches the client.
     */
    public static Interception suspend(CompletionStage<Interception> later, List<ByteBuf> injectedFirst) {
        List<Outgoing> frames = injectedFirst.stream().map(Outgoing::injected).toList();
        return new Interception(Kind.SUSPEND, frames, null, Objects.requireNonNull(later, "later"));
    }

    /**
     * As the outcome of a suspension: the session hands the same message (with the same FIFO entry)
     * to the interceptor again, on its event loop, for a decision made with what the wait brought.
     */
    public static Interception again() {
        return AGAIN;
    }

    public Kind kind() {
        return kind;
    }

    /** For REPLACE: the frames to send; for SUSPEND: frames injected before waiting. */
    public List<Outgoing> frames() {
        return frames;
    }

    /** For REFUSE: what PostgreSQL will raise. */
    public SessionRefusal refusal() {
        return refusal;
    }

    /** For SUSPEND: the decision to come. */
    public CompletionStage<Interception> later() {
        return later;
    }

    /** Releases the frames of a decision that will not be applied. */
    public void discard() {
        frames.forEach(o -> ReferenceCountUtil.release(o.frame()));
    }
}
