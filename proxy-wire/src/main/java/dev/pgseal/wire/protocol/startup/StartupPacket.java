package dev.pgseal.wire.protocol.startup;

/**
 * A packet of the startup phase: untyped, an int32 length then an int32 code. Decoded by
 * {@link StartupDecoder}.
 */
public sealed interface StartupPacket permits SslRequest, GssEncRequest, CancelRequest, StartupMessage {
    /** The code of SSLRequest. */
    int SSL_REQUEST_CODE = 80877103;
    /** The code of GSSENCRequest. */
    int GSSENC_REQUEST_CODE = 80877104;
    /** The code of CancelRequest. */
    int CANCEL_REQUEST_CODE = 80877102;
    /** Protocol version 3.0 as sent in StartupMessage. */
    int PROTOCOL_3_0 = 196608;
}
