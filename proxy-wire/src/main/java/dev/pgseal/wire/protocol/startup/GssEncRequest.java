package dev.pgseal.wire.protocol.startup;

/** GSSENCRequest: the client asks for GSSAPI encryption; pgseal always answers {@code 'N'}. */
public final class GssEncRequest implements StartupPacket {
    public static final GssEncRequest INSTANCE = new GssEncRequest();

    private GssEncRequest() {
    }

    @Override
    public String toString() {
        return "GSSENCRequest";
    }
}
