package dev.pgseal.wire.protocol.frontend;

import dev.pgseal.wire.protocol.CopyData;
import dev.pgseal.wire.protocol.CopyDone;
import dev.pgseal.wire.protocol.FrontendMessageType;
import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;

/** Decodes a whole frontend frame (type, length, body) into its message class. */
public final class FrontendMessages {
    private FrontendMessages() {
    }

    /**
     * Returns the message; the frame is only read, not released. PasswordMessage and its SASL
     * variants are not decoded (they are relayed untouched) and come back as their type.
     *
     * @throws MalformedMessageException for an unknown type or content that does not fit the type
     */
    public static Object decode(ByteBuf frame) {
        if (frame.readableBytes() < Wire.HEADER_BYTES || frame.getInt(frame.readerIndex() + 1) != frame.readableBytes() - 1) {
            throw new MalformedMessageException("not a whole frame");
        }
        byte code = Wire.type(frame);
        FrontendMessageType type = FrontendMessageType.of(code);
        if (type == null) {
            throw new MalformedMessageException("invalid frontend message type " + FrontendMessageType.describe(code));
        }
        ByteBuf body = Wire.body(frame);
        return switch (type) {
            case BIND -> Bind.decode(body);
            case CLOSE -> Close.decode(body);
            case COPY_DATA -> CopyData.decode(body);
            case COPY_DONE -> CopyDone.decode(body);
            case COPY_FAIL -> CopyFail.decode(body);
            case DESCRIBE -> Describe.decode(body);
            case EXECUTE -> Execute.decode(body);
            case FLUSH -> Flush.decode(body);
            case FUNCTION_CALL -> FunctionCall.decode(body);
            case PARSE -> Parse.decode(body);
            case QUERY -> Query.decode(body);
            case SYNC -> Sync.decode(body);
            case TERMINATE -> Terminate.decode(body);
            case PASSWORD -> FrontendMessageType.PASSWORD;
        };
    }
}
