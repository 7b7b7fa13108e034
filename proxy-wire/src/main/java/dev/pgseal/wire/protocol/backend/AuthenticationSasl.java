package dev.pgseal.wire.protocol.backend;

import dev.pgseal.wire.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * AuthenticationSASL ('R' with code 10): the SASL mechanisms PostgreSQL offers. pgseal removes
 * {@code SCRAM-SHA-256-PLUS}: channel binding binds to the TLS session between the client and the
 * endpoint that terminates it, which is pgseal, not PostgreSQL, so it could never verify.
 */
public record AuthenticationSasl(List<String> mechanisms) {
    /** The authentication code of AuthenticationSASL. */
    public static final int CODE = 10;
    /** The mechanism that requires channel binding. */
    public static final String SCRAM_PLUS = "SCRAM-SHA-256-PLUS";

    public AuthenticationSasl {
        mechanisms = List.copyOf(mechanisms);
    }

    /** Decodes an 'R' body whose code is 10. */
    public static AuthenticationSasl decode(ByteBuf body) {
        Wire.readInt(body); // the code, 10
        List<String> mechanisms = new ArrayList<>();
        while (true) {
            String m = Wire.readCString(body);
            if (m.isEmpty()) {
                break;
            }
            mechanisms.add(m);
        }
        Wire.expectEnd(body, "AuthenticationSASL");
        return new AuthenticationSasl(mechanisms);
    }

    /** The same message without the channel-binding mechanism. */
    public AuthenticationSasl withoutChannelBinding() {
        return new AuthenticationSasl(mechanisms.stream().filter(m -> !m.equals(SCRAM_PLUS)).toList());
    }

    /** The whole message, type and length included. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.buffer(64);
        buf.writeByte('R').writeInt(0).writeInt(CODE);
        for (String m : mechanisms) {
            Wire.writeCString(buf, m);
        }
        buf.writeByte(0);
        buf.setInt(1, buf.writerIndex() - 1);
        return buf;
    }
}
