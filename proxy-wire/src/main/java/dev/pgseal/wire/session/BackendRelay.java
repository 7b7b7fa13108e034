package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.ParameterDescription;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.RowDescription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * PostgreSQL → client in the READY phase: matches every message to the FIFO entry it answers, lets
 * the {@link StatementInterceptor} rewrite RowDescription, ParameterDescription, DataRow and
 * ErrorResponse and observe ParameterStatus, and consumes the responses to injected messages.
 * Frames relayed as they are leave as one slice per run.
 */
final class BackendRelay {
    private final Channel client;
    private final ResponseTracker tracker;
    private final StatementInterceptor interceptor;
    private final boolean intercepting;
    private final RelayOwner owner;
    private final ClientRelay clientRelay;
    private int runStart;

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
        int at = batch.readerIndex();
        int end = batch.writerIndex();
        runStart = at;
        boolean go = true;
        try {
            while (at < end) {
                int len = Wire.frameLength(batch, at);
                if (!onFrame(batch, at, len)) {
                    go = false;
                    break;
                }
                at += len;
            }
            if (go) {
                relayRun(batch, end);
            }
        } finally {
            batch.release();
        }
        if (go) {
            clientRelay.backendProgressed();
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

    private boolean onFrame(ByteBuf batch, int at, int len) {
        byte type = batch.getByte(at);
        try {
            PendingResponse entry = tracker.onBackend(type);
            if (entry != null && entry.injected) {
                return onInjectedResponse(batch, at, len, type, entry);
            }
            switch (type) {
                case 'D' -> {
                    if (intercepting && entry != null && entry.attachment() != null) {
                        relayRun(batch, at);
                        runStart = at + len;
                        toClient(interceptor.onDataRow(batch.retainedSlice(at, len), entry));
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
                            return false;
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
                default -> {
                }
            }
            return true;
        } catch (ProtocolMismatchException e) {
            relayRun(batch, at);
            owner.internalError(e);
            return false;
        } catch (MalformedMessageException e) {
            relayRun(batch, at);
            owner.internalError(new ProtocolMismatchException("malformed backend message: " + e.getMessage()));
            return false;
        } catch (RuntimeException e) {
            relayRun(batch, at);
            owner.hookFailed(e);
            return false;
        }
    }

    /**
     * A response to an injected message goes to the interceptor, not to the client. An ErrorResponse
     * to an injected extended-protocol message is also the client's: PostgreSQL now skips the
     * client's own messages up to Sync, and the client must learn why.
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
                if (entry.kind().isExtendedProtocol()) {
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
