package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.MalformedMessageException;
import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** BackendKeyData ('K'): the key a client needs to cancel this session's queries. */
public final class BackendKeyData {
    private final int processId;
    private final byte[] secret;

    public BackendKeyData(int processId, byte[] secret) {
        this.processId = processId;
        this.secret = secret.clone();
    }

    public static BackendKeyData decode(ByteBuf body) {
        int pid = Wire.readInt(body);
        int n = body.readableBytes();
        if (n < 4 || n > 256) {
            throw new MalformedMessageException("BackendKeyData secret length: " + n + " (expected: 4..256)");
        }
        return new BackendKeyData(pid, Wire.readBytes(body, n));
    }

    public int processId() {
        return processId;
    }

    public byte[] secret() {
        return secret.clone();
    }

    public int secretLength() {
        return secret.length;
    }

    /** The whole message, type and length included. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.buffer(9 + secret.length);
        buf.writeByte('K').writeInt(8 + secret.length).writeInt(processId).writeBytes(secret);
        return buf;
    }

    @Override
    public String toString() {
        return "BackendKeyData[pid=" + processId + "]";
    }
}
