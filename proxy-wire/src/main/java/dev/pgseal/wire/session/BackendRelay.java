package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.backend.CopyInResponse;
import dev.pgseal.wire.protocol.backend.CopyOutResponse;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterDescription;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.FrameWriter;
import dev.pgseal.wire.protocol.backend.ErrorFields;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;

/**
 * PostgreSQL → client in the READY phase: matches every message to the FIFO entry it answers, lets
 * the {@link StatementInterceptor} rewrite RowDescription, ParameterDescription, DataRow,
 * ErrorResponse and NoticeResponse and observe ParameterStatus, and consumes the responses to
 * injected messages. Frames relayed as they are leave as one slice per run.
 *
 * <p>Frame ownership: a DataRow goes to the interceptor as a retained slice of the batch; if the
 * interceptor returns, the slice (or its replacement) is the interceptor's answer and goes to the
 * client; if it throws, this relay releases the slice. {@link StatementInterceptor.RetryLater}
 * pauses this direction: the unprocessed rest of the batch (from that DataRow on) and any later
 * batches are held, the session stops reading PostgreSQL, and processing starts again at the same
 * frame when the stage completes, on the client's event loop.
 */
final class BackendRelay {
    private enum Step { NEXT, PAUSE, STOP }

    private final Channel client;
    private final ResponseTracker tracker;
    private final StatementInterceptor interceptor;
    private final boolean intercepting;
    private final RelayOwner owner;
    private final ClientRelay clientRelay;
    /** Batches not yet processed (the head from its reader index on), in arrival order. */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private int runStart;
    private boolean paused;
    private boolean closed;
    /** The DataRow being retried: its FIFO entry was matched already and must not be matched twice. */
    private PendingResponse retrying;

    BackendRelay(Channel client, ResponseTracker tracker, StatementInterceptor interceptor, RelayOwner owner,
                 ClientRelay clientRelay) {
        this.client = client;
        this.tracker = tracker;
        this.interceptor = interceptor;
        this.intercepting = interceptor != StatementInterceptor.NONE;
        this.owner = owner;
        this.clientRelay = clientRelay;
    }

    /** Takes a batch of whole frames (and its ownership). */
    void onBatch(ByteBuf batch) {
        if (closed) {
            batch.release();
            return;
        }
        held.addLast(batch);
        if (!paused) {
            drain();
        }
    }

    /** Whether reading from PostgreSQL is on hold (a DataRow waits for a stage). */
    boolean isPaused() {
        return paused;
    }

    /** The session ends: releases everything held. */
    void close() {
        closed = true;
        while (!held.isEmpty()) {
            held.pollFirst().release();
        }
    }

    private void drain() {
        boolean progressed = false;
        while (!closed && !paused && !held.isEmpty()) {
            ByteBuf batch = held.peekFirst();
            int at = batch.readerIndex();
            int end = batch.writerIndex();
            runStart = at;
            Step step = Step.NEXT;
            while (at < end) {
                int len = Wire.frameLength(batch, at);
                step = onFrame(batch, at, len);
                if (step != Step.NEXT) {
                    break;
                }
                at += len;
            }
            if (step == Step.STOP) {
                close();
                return;
            }
            progressed = true;
            if (step == Step.PAUSE) {
                relayRun(batch, at);
                batch.readerIndex(at);
                break;
            }
            relayRun(batch, end);
            held.pollFirst().release();
        }
        if (progressed && !closed) {
            clientRelay.backendProgressed();
        }
    }

    /** The stage a paused DataRow waited for completed: go on at that frame. */
    private void resume() {
        if (closed || !paused) {
            return;
        }
        paused = false;
        drain();
        if (!closed) {
            client.flush();
            owner.backendInputChanged();
        }
    }

    private void relayRun(ByteBuf batch, int upTo) {
        if (upTo > runStart) {
            toClient(batch.retainedSlice(runStart, upTo - runStart));
        }
        runStart = upTo;
    }

    private void toClient(ByteBuf frames) {
        owner.sentToClient(frames.readableBytes());
        client.write(frames, client.voidPromise());
    }

    /** Sends {@code replacement} instead of the frame at {@code at}. */
    private void replace(ByteBuf batch, int at, int len, ByteBuf replacement) {
        relayRun(batch, at);
        runStart = at + len;
        toClient(replacement);
    }

    private static ByteBuf body(ByteBuf batch, int at, int len) {
        return batch.slice(at + Wire.HEADER_BYTES, len - Wire.HEADER_BYTES);
    }

    private Step onFrame(ByteBuf batch, int at, int len) {
        byte type = batch.getByte(at);
        try {
            PendingResponse entry;
            if (retrying != null) {
                entry = retrying;
                retrying = null;
            } else {
                entry = tracker.onBackend(type);
            }
            if (entry != null && entry.injected) {
                return onInjectedResponse(batch, at, len, type, entry) ? Step.NEXT : Step.STOP;
            }
            switch (type) {
                case 'D', 'd' -> {
                    if (intercepting && entry != null && entry.attachment() != null) {
                        return onDataRow(batch, at, len, entry);
                    }
                }
                case 'G', 'H' -> {
                    if (intercepting && entry != null) {
                        ByteBuf b = body(batch, at, len);
                        if (type == 'G') {
                            CopyInResponse r = CopyInResponse.decode(b);
                            interceptor.onCopyResponse('G', r.overallFormat(), r.columnFormats().length, entry);
                        } else {
                            CopyOutResponse r = CopyOutResponse.decode(b);
                            interceptor.onCopyResponse('H', r.overallFormat(), r.columnFormats().length, entry);
                        }
                    }
                }
                case 'T' -> {
                    if (intercepting && entry != null) {
                        RowDescription d = RowDescription.decode(body(batch, at, len));
                        RowDescription r = interceptor.rewriteRowDescription(d, entry);
                        if (r != d) {
                            replace(batch, at, len, r.encode(client.alloc()));
                        }
                    }
                }
                case 't' -> {
                    if (intercepting && entry != null) {
                        ParameterDescription d = ParameterDescription.decode(body(batch, at, len));
                        ParameterDescription r = interceptor.rewriteParameterDescription(d, entry);
                        if (r != d) {
                            replace(batch, at, len, r.encode(client.alloc()));
                        }
                    }
                }
                case 'Z' -> noteReady(batch, at, len);
                case 'C' -> noteCommandTag(batch, at, len);
                case 'S' -> {
                    ParameterStatus status = ParameterStatus.decode(body(batch, at, len));
                    owner.parameterStatus(status);
                    if (intercepting) {
                        SessionRefusal refusal = interceptor.onParameterStatus(status);
                        if (refusal != null) {
                            relayRun(batch, at + len);
                            owner.refuseSession(refusal);
                            return Step.STOP;
                        }
                    }
                }
                case 'E' -> {
                    ErrorResponse error = ErrorResponse.decode(body(batch, at, len));
                    owner.backendError(error);
                    if (intercepting) {
                        ErrorResponse r = interceptor.rewriteError(error, entry);
                        if (r != error) {
                            replace(batch, at, len, r.encode(client.alloc()));
                        }
                    }
                }
                case 'N' -> {
                    if (intercepting) {
                        ErrorFields notice = ErrorFields.decode(body(batch, at, len));
                        ErrorFields r = interceptor.rewriteNotice(notice);
                        if (r != notice) {
                            ByteBuf frame = FrameWriter.start(client.alloc(), 'N', 64);
                            r.writeTo(frame);
                            replace(batch, at, len, FrameWriter.finish(frame));
                        }
                    }
                }
                default -> {
                }
            }
            return Step.NEXT;
        } catch (ProtocolMismatchException e) {
            relayRun(batch, at);
            owner.internalError(e);
            return Step.STOP;
        } catch (MalformedMessageException e) {
            relayRun(batch, at);
            owner.internalError(new ProtocolMismatchException("malformed backend message: " + e.getMessage()));
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

    /**
     * Hands a DataRow to the interceptor. The slice it gets is released here when the interceptor
     * throws (it owns it only once it returns); on {@link StatementInterceptor.RetryLater} the frame
     * stays in the batch and this direction pauses.
     */
    private Step onDataRow(ByteBuf batch, int at, int len, PendingResponse entry) {
        relayRun(batch, at);
        ByteBuf slice = batch.retainedSlice(at, len);
        ByteBuf out;
        try {
            // a DataRow, or a CopyData of COPY TO (one row each)
            out = batch.getByte(at) == 'd' ? interceptor.onCopyData(slice, entry) : interceptor.onDataRow(slice, entry);
        } catch (StatementInterceptor.RetryLater later) {
            slice.release();
            pause(later.ready(), entry);
            return Step.PAUSE;
        } catch (RuntimeException e) {
            slice.release();
            throw e;
        }
        runStart = at + len;
        toClient(out);
        return Step.NEXT;
    }

    private void pause(CompletionStage<?> ready, PendingResponse entry) {
        paused = true;
        retrying = entry;
        owner.backendInputChanged();
        ready.whenComplete((v, failure) -> client.eventLoop().execute(this::resume));
    }

    /**
     * A response to an injected message goes to the interceptor, not to the client. An ErrorResponse
     * to an injected extended-protocol message is also the client's: PostgreSQL now skips the
     * client's own messages up to Sync, and the client must learn why — unless the Sync it skips to
     * is an injected one (injected messages that formed their own group).
     */
    private boolean onInjectedResponse(ByteBuf batch, int at, int len, byte type, PendingResponse entry) {
        relayRun(batch, at);
        runStart = at + len;
        interceptor.onInjectedResponse(batch.slice(at, len), entry);
        switch (type) {
            case 'Z' -> noteReady(batch, at, len);
            case 'C' -> noteCommandTag(batch, at, len);
            case 'E' -> {
                ErrorResponse error = ErrorResponse.decode(body(batch, at, len));
                owner.backendError(error);
                if (entry.kind().isExtendedProtocol() && !tracker.skipsOnlyInjected()) {
                    ErrorResponse r = interceptor.rewriteError(error, entry);
                    toClient(r == error ? batch.retainedSlice(at, len) : r.encode(client.alloc()));
                }
            }
            default -> {
            }
        }
        return true;
    }

    private void noteReady(ByteBuf batch, int at, int len) {
        if (len >= 6) {
            tracker.onTransactionStatus((char) batch.getByte(at + Wire.HEADER_BYTES));
        }
    }

    private void noteCommandTag(ByteBuf batch, int at, int len) {
        int tag = at + Wire.HEADER_BYTES;
        if (len > Wire.HEADER_BYTES + 2 && batch.getByte(tag) == 'D'
                && (batch.getByte(tag + 1) == 'I' || batch.getByte(tag + 1) == 'E' && batch.getByte(tag + 2) == 'A')) {
            String text = FrameNames.cstringAt(batch, tag, at + len);
            if (text.equals("DISCARD ALL") || text.equals("DEALLOCATE ALL")) {
                tracker.onAllStatementsDeallocated();
            }
        }
    }
}
