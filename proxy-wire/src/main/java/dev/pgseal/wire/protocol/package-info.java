/**
 * The PostgreSQL v3 protocol as pgseal needs it: framing ({@link dev.pgseal.wire.protocol.FrameDecoder},
 * {@link dev.pgseal.wire.protocol.startup.StartupDecoder}) kept apart from parsing (one small class
 * per message in {@code frontend} and {@code backend}, each with a static {@code decode(ByteBuf body)}
 * that reads the body after the length and fails with
 * {@link dev.pgseal.wire.protocol.MalformedMessageException}). Decoders report broken input as a
 * {@link dev.pgseal.wire.protocol.ProtocolViolation} with a message such as
 * {@code "length: N (expected: >= 4)"}, never by throwing.
 */
package dev.pgseal.wire.protocol;
