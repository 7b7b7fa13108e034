package dev.pgseal.wire.session;

import dev.pgseal.wire.Interception;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.FunctionCall;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Client → PostgreSQL in the READY phase: records every message in the FIFO, hands Query, Parse,
 * Bind and FunctionCall to the {@link StatementInterceptor} and applies its decision, and suspends
 * reading while a decision or a statement's plan is not known yet.
 *
 * <p>A batch is a buffer of whole frames back to back. Frames relayed as they are stay in a "run"
 * that goes out as one slice; a frame that is replaced first sends the run before it. While
 * suspended, the unprocessed rest of the batch and any later batches are kept (in order, as they
 * are), the session turns autoRead off, and nothing blocks the event loop; processing continues at
 * the frame where it stopped.
 */
final class ClientRelay {
    private enum Step { NEXT, WAIT_PLAN, WAIT_HOOK, STOP }

    /** A frame whose interceptor decision is still to come. */
    private record Suspended(ByteBuf frame, FrontendMessageType type, PendingResponse entry, String name,
            String name2, boolean settledBefore) {
    }

    private final Channel backend;
    private final ResponseTracker tracker;
    private final StatementInterceptor interceptor;
    private final boolean intercepting;
    private final RelayOwner owner;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private int runStart;
    /** The Parse, Bind or Close whose outcome decides the plan of the frame at the head of {@link #held}. */
    private PendingResponse waitingFor;
    private Suspended suspended;
    private boolean closed;
    private boolean inHook;
    private boolean settledBefore = true;

    ClientRelay(Channel backend, ResponseTracker tracker, StatementInterceptor interceptor, RelayOwner owner) {
        this.backend = backend;
        this.tracker = tracker;
        this.interceptor = interceptor;
        this.intercepting = interceptor != StatementInterceptor.NONE;
        this.owner = owner;
        if (intercepting) {
            tracker.propagateAttachments();
        }
    }

    /** Takes a batch of whole frames (and its ownership). */
    void onBatch(ByteBuf batch) {
        if (closed) {
            batch.release();
            return;
        }
        held.addLast(batch);
        if (!isSuspended()) {
            drain();
        }
    }

    /** Whether client input is on hold (waiting for a plan or an interceptor's stage). */
    boolean isSuspended() {
        return waitingFor != null || suspended != null;
    }

    /** See {@link dev.pgseal.wire.SessionInfo#settled()}. */
    boolean settled() {
        return inHook ? settledBefore : tracker.isSettled();
    }

    /** Called after each batch from PostgreSQL: resumes when the awaited outcome is known. */
    void backendProgressed() {
        if (waitingFor != null && waitingFor.resolved() && !closed) {
            waitingFor = null;
            resume();
        }
    }

    /** The session ends: releases everything held. */
    void close() {
        closed = true;
        while (!held.isEmpty()) {
            held.pollFirst().release();
        }
        if (suspended != null) {
            suspended.frame().release();
            suspended = null;
        }
    }

    private void resume() {
        drain();
        if (!closed) {
            backend.flush();
            owner.clientInputChanged();
        }
    }

    private void drain() {
        while (!closed && !isSuspended() && !held.isEmpty()) {
            ByteBuf batch = held.peekFirst();
            int at = batch.readerIndex();
            int end = batch.writerIndex();
            runStart = at;
            while (at < end) {
                int len = Wire.frameLength(batch, at);
                Step step = onFrame(batch, at, len);
                switch (step) {
                    case STOP -> {
                        return;
                    }
                    case WAIT_PLAN, WAIT_HOOK -> {
                        relayRun(batch, at);
                        batch.readerIndex(step == Step.WAIT_PLAN ? at : at + len);
                        owner.clientInputChanged();
                        return;
                    }
                    case NEXT -> at += len;
                }
            }
            relayRun(batch, end);
            held.pollFirst().release();
        }
    }

    private void relayRun(ByteBuf batch, int upTo) {
        if (upTo > runStart) {
            write(batch.retainedSlice(runStart, upTo - runStart));
        }
        runStart = upTo;
    }

    private void write(ByteBuf frames) {
        owner.sentToBackend(frames.readableBytes());
        backend.write(frames, backend.voidPromise());
    }

    private Step onFrame(ByteBuf batch, int at, int len) {
        try {
            FrameNames m = FrameNames.of(batch, at, len);
            FrontendMessageType t = m.type();
            if (intercepting && (t == FrontendMessageType.BIND || t == FrontendMessageType.DESCRIBE
                    || t == FrontendMessageType.EXECUTE)) {
                PendingResponse decidedBy = tracker.undeterminedBy(t, m.target(), t == FrontendMessageType.BIND ? m.name2() : m.name1());
                if (decidedBy != null) {
                    waitingFor = decidedBy;
                    return Step.WAIT_PLAN;
                }
            }
            if (t == FrontendMessageType.TERMINATE) {
                relayRun(batch, at + len);
                owner.clientTerminated();
                return Step.STOP;
            }
            settledBefore = tracker.isSettled();
            PendingResponse entry = m.record(tracker);
            if (!intercepting) {
                return Step.NEXT;
            }
            ByteBuf body = batch.slice(at + Wire.HEADER_BYTES, len - Wire.HEADER_BYTES);
            Interception decision = decide(t, m.name1(), m.name2(), body, entry);
            if (decision == null || decision.kind() == Interception.Kind.PASS) {
                return Step.NEXT;
            }
            if (decision.kind() == Interception.Kind.SUSPEND) {
                relayRun(batch, at);
                runStart = at + len;
                suspended = new Suspended(batch.retainedSlice(at, len), t, entry, m.name1(), m.name2(), settledBefore);
                injectAhead(decision, entry);
                watch(decision.later());
                return Step.WAIT_HOOK;
            }
            if (decision.kind() == Interception.Kind.AGAIN) {
                throw new IllegalStateException("again() is only the outcome of a suspension");
            }
            relayRun(batch, at);
            runStart = at + len;
            apply(decision, t, entry, m.name1(), null);
            return Step.NEXT;
        } catch (MalformedMessageException e) {
            relayRun(batch, at);
            owner.violation(e.getMessage().startsWith("invalid frontend message type") ? e.getMessage()
                    : "invalid message format: " + e.getMessage());
            return Step.STOP;
        } catch (StatementInterceptor.EndSession e) {
            relayRun(batch, at);
            owner.refuseSession(e.refusal());
            return Step.STOP;
        } catch (RuntimeException e) {
            relayRun(batch, at);
            owner.hookFailed(e);
            return Step.STOP;
        }
    }

    /** The interceptor's decision on a client message ({@code entry} already recorded). */
    private Interception decide(FrontendMessageType t, String name1, String name2, ByteBuf body, PendingResponse entry) {
        inHook = true;
        try {
            return switch (t) {
                case QUERY -> interceptor.interceptQuery(Query.decode(body), entry);
                case PARSE -> interceptor.interceptParse(Parse.decode(body), entry);
                case BIND -> entry != null && entry.attachment() instanceof SessionRefusal
                        ? Interception.replace(new Bind(name1, name2, new short[0], new byte[0][], new short[0])
                                .encode(backend.alloc()))
                        : interceptor.interceptBind(Bind.decode(body), entry);
                case FUNCTION_CALL -> interceptor.interceptFunctionCall(FunctionCall.decode(body), entry);
                case COPY_DATA, COPY_DONE, COPY_FAIL -> interceptor.interceptCopyFromClient(t, body);
                default -> Interception.pass();
            };
        } finally {
            inHook = false;
        }
    }

    /**
     * Sends a suspension's injected frames ahead of the client's message, whose FIFO entry (already
     * recorded) moves behind them.
     */
    private void injectAhead(Interception decision, PendingResponse entry) {
        if (decision.frames().isEmpty()) {
            return;
        }
        List<FrameNames> names = new java.util.ArrayList<>();
        try {
            for (Interception.Outgoing o : decision.frames()) {
                names.add(FrameNames.of(o.frame()));
            }
        } catch (MalformedMessageException e) {
            decision.discard();
            throw new IllegalStateException("an interceptor produced a malformed frame: " + e.getMessage());
        }
        tracker.withdraw(entry);
        for (int i = 0; i < names.size(); i++) {
            PendingResponse e = names.get(i).record(tracker);
            if (e != null) {
                e.injected = true;
            }
            write(decision.frames().get(i).frame());
        }
        if (entry != null) {
            tracker.requeue(entry);
        }
        backend.flush();
    }

    private void watch(CompletionStage<Interception> later) {
        later.whenComplete((next, failure) -> backend.eventLoop().execute(() -> hookDone(next, failure)));
    }

    private void hookDone(Interception next, Throwable failure) {
        if (closed || suspended == null) {
            if (next != null) {
                next.discard();
            }
            return;
        }
        if (failure == null && next != null && next.kind() == Interception.Kind.SUSPEND) {
            watch(next.later());
            return;
        }
        Suspended s = suspended;
        suspended = null;
        try {
            if (failure != null || next == null) {
                throw new IllegalStateException("a suspended interceptor step failed",
                        failure == null ? new NullPointerException("no decision") : failure);
            }
            if (next.kind() == Interception.Kind.AGAIN) {
                settledBefore = s.settledBefore();
                ByteBuf f = s.frame();
                next = decide(s.type(), s.name(), s.name2(), f.slice(f.readerIndex() + Wire.HEADER_BYTES,
                        f.readableBytes() - Wire.HEADER_BYTES), s.entry());
                if (next.kind() == Interception.Kind.SUSPEND) {
                    suspended = s;
                    injectAhead(next, s.entry());
                    watch(next.later());
                    return;
                }
                if (next.kind() == Interception.Kind.AGAIN) {
                    throw new IllegalStateException("again() is only the outcome of a suspension");
                }
            }
            apply(next, s.type(), s.entry(), s.name(), s.frame());
        } catch (StatementInterceptor.EndSession e) {
            owner.refuseSession(e.refusal());
            return;
        } catch (RuntimeException e) {
            owner.hookFailed(e);
            return;
        } finally {
            if (suspended != s) {
                s.frame().release();
            }
        }
        resume();
    }

    /**
     * Sends what {@code decision} says in place of the client's message; {@code original} (not
     * consumed) is the client's frame when it is no longer part of a run.
     */
    private void apply(Interception decision, FrontendMessageType type, PendingResponse entry, String name, ByteBuf original) {
        switch (decision.kind()) {
            case PASS -> write(original.retain());
            case REPLACE -> {
                if (type == FrontendMessageType.COPY_DATA || type == FrontendMessageType.COPY_DONE
                        || type == FrontendMessageType.COPY_FAIL) {
                    // A COPY stream's frames have no FIFO entry: the replacement is sent as it is.
                    decision.frames().forEach(o -> write(o.frame()));
                } else {
                    send(decision.frames(), entry);
                }
            }
            case REFUSE -> {
                String sql = RefusalStatement.sql(decision.refusal());
                ByteBuf frame = switch (type) {
                    case QUERY, FUNCTION_CALL -> new Query(sql).encode(backend.alloc());
                    case PARSE -> {
                        if (entry != null) {
                            entry.attach(decision.refusal());
                        }
                        yield new Parse(name, sql, new int[0]).encode(backend.alloc());
                    }
                    default -> throw new IllegalStateException("only Query, Parse and FunctionCall can be refused, not " + type);
                };
                send(List.of(Interception.Outgoing.answered(frame)), entry);
            }
            case SUSPEND -> throw new IllegalStateException("a suspension cannot be applied");
        }
    }

    private static boolean sameMessage(ByteBuf frame, PendingResponse entry) {
        try {
            return FrameNames.of(frame).matches(entry);
        } catch (MalformedMessageException e) {
            return false; // reported by the general path
        }
    }

    /** Sends replacement frames, keeping the FIFO in the order they go out. */
    private void send(List<Interception.Outgoing> frames, PendingResponse entry) {
        if (frames.size() == 1 && entry != null && sameMessage(frames.get(0).frame(), entry)) {
            write(frames.get(0).frame());
            return;
        }
        List<FrameNames> names = new java.util.ArrayList<>(frames.size());
        try {
            for (Interception.Outgoing o : frames) {
                names.add(FrameNames.of(o.frame()));
            }
        } catch (MalformedMessageException e) {
            frames.forEach(o -> o.frame().release());
            throw new IllegalStateException("an interceptor produced a malformed frame: " + e.getMessage());
        }
        tracker.withdraw(entry);
        boolean requeued = false;
        for (int i = 0; i < frames.size(); i++) {
            Interception.Outgoing o = frames.get(i);
            FrameNames m = names.get(i);
            if (o.answered() && entry != null && !requeued && m.matches(entry)) {
                tracker.requeue(entry);
                requeued = true;
            } else {
                PendingResponse e = m.record(tracker);
                if (e != null && o.answered() && entry != null) {
                    e.attach(entry.attachment());
                } else if (e != null && !o.answered()) {
                    e.injected = true;
                }
            }
            write(o.frame());
        }
        if (!requeued) {
            tracker.abandon(entry);
        }
    }
}
