package dev.pgseal.wire.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * CancelRequest: sent on a new connection with the key data of the session to cancel. The secret is
 * 4 bytes in protocol 3.0 and up to 256 bytes in 3.2.
 */
public final class CancelRequest implements StartupPacket {
    /** Longest secret accepted (protocol 3.2). */
    public static final int MAX_SECRET_BYTES = 256;

    private final int processId;
    private final byte[] secret;

    public CancelRequest(int processId, byte[] secret) {
        if (secret.length < 1 || secret.length > MAX_SECRET_BYTES) {
            throw new IllegalArgumentException("secret length: " + secret.length + " (expected: 1..256)");
        }
        this.processId = processId;
        this.secret = secret.clone();
    }

    public int processId() {
        return processId;
    }

    /** A copy of the secret key. */
    public byte[] secret() {
        return secret.clone();
    }

    /** The whole packet, length included. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        int length = 12 + secret.length;
        return alloc.buffer(length).writeInt(length).writeInt(CANCEL_REQUEST_CODE).writeInt(processId).writeBytes(secret);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CancelRequest c && c.processId == processId && Arrays.equals(c.secret, secret);
    }

    @Override
    public int hashCode() {
        return processId;
    }

    @Override
    public String toString() {
        return "CancelRequest[pid=" + processId + "]";
    }
}
