package dev.pgseal.wire.session;

import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The type and names of a frontend frame, read in place: what the FIFO needs to record it.
 *
 * @param target for Describe and Close: {@code 'S'} or {@code 'P'}, else {@code ' '}
 * @param name1 Parse: statement; Bind: portal; Describe/Close: the name; Execute: portal
 * @param name2 Bind: statement; else {@code null}
 */
record FrameNames(FrontendMessageType type, char target, String name1, String name2) {

    /** Reads the frame at {@code at}, {@code len} bytes long (header included). */
    static FrameNames of(ByteBuf buf, int at, int len) {
        byte code = buf.getByte(at);
        FrontendMessageType t = FrontendMessageType.of(code);
        if (t == null || t == FrontendMessageType.PASSWORD) {
            throw new MalformedMessageException("invalid frontend message type " + FrontendMessageType.describe(code));
        }
        int body = at + Wire.HEADER_BYTES;
        int end = at + len;
        return switch (t) {
            case PARSE, EXECUTE -> new FrameNames(t, ' ', cstringAt(buf, body, end), null);
            case BIND -> {
                int statementAt = buf.indexOf(body, end, (byte) 0) + 1;
                if (statementAt <= 0) {
                    throw new MalformedMessageException("string without terminator");
                }
                yield new FrameNames(t, ' ', cstringAt(buf, body, end), cstringAt(buf, statementAt, end));
            }
            case DESCRIBE, CLOSE -> {
                if (len < Wire.HEADER_BYTES + 2) {
                    throw new MalformedMessageException("truncated message");
                }
                char target = (char) buf.getByte(body);
                if (target != 'S' && target != 'P') {
                    throw new MalformedMessageException("invalid " + t + " message subtype " + (int) target);
                }
                yield new FrameNames(t, target, cstringAt(buf, body + 1, end), null);
            }
            default -> new FrameNames(t, ' ', null, null);
        };
    }

    /** Of a whole frame. */
    static FrameNames of(ByteBuf frame) {
        return of(frame, frame.readerIndex(), frame.readableBytes());
    }

    /** Records this message in {@code tracker}. */
    PendingResponse record(ResponseTracker tracker) {
        return tracker.onFrontend(type, target, name1, name2);
    }

    /** Whether {@code entry} is what recording this message would create (same kind and names). */
    boolean matches(PendingResponse entry) {
        return switch (type) {
            case QUERY -> entry.kind() == ResponseKind.QUERY;
            case PARSE -> entry.kind() == ResponseKind.PARSE && name1.equals(entry.statementName());
            case BIND -> entry.kind() == ResponseKind.BIND && name1.equals(entry.portalName())
                    && name2.equals(entry.statementName());
            case DESCRIBE -> target == 'S'
                    ? entry.kind() == ResponseKind.DESCRIBE_STATEMENT && name1.equals(entry.statementName())
                    : entry.kind() == ResponseKind.DESCRIBE_PORTAL && name1.equals(entry.portalName());
            case EXECUTE -> entry.kind() == ResponseKind.EXECUTE && name1.equals(entry.portalName());
            case CLOSE -> entry.kind() == ResponseKind.CLOSE
                    && name1.equals(target == 'S' ? entry.statementName() : entry.portalName());
            case SYNC -> entry.kind() == ResponseKind.SYNC;
            case FUNCTION_CALL -> entry.kind() == ResponseKind.FUNCTION_CALL;
            default -> false;
        };
    }

    /** The null-terminated string at {@code offset}, before {@code end}; "" without allocating when empty. */
    static String cstringAt(ByteBuf buf, int offset, int end) {
        if (offset >= end) {
            throw new MalformedMessageException("truncated message");
        }
        if (buf.getByte(offset) == 0) {
            return "";
        }
        int nul = buf.indexOf(offset, end, (byte) 0);
        if (nul < 0) {
            throw new MalformedMessageException("string without terminator");
        }
        return buf.toString(offset, nul - offset, StandardCharsets.UTF_8);
    }
}
