package dev.pgseal.wire.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** SSLRequest: the client asks for TLS; the answer is one byte, {@code 'S'} or {@code 'N'}. */
public final class SslRequest implements StartupPacket {
    public static final SslRequest INSTANCE = new SslRequest();

    private SslRequest() {
    }

    /** The 8 bytes of an SSLRequest (pgseal sends it to PostgreSQL for upstream TLS). */
    public static ByteBuf encode(ByteBufAllocator alloc) {
        return alloc.buffer(8).writeInt(8).writeInt(SSL_REQUEST_CODE);
    }

    @Override
    public String toString() {
        return "SSLRequest";
    }
}
