package dev.pgseal.wire.protocol.startup;

import static dev.pgseal.wire.protocol.Frames.body;
import static dev.pgseal.wire.protocol.Frames.concat;
import static dev.pgseal.wire.protocol.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.protocol.FrameDecoder;
import dev.pgseal.wire.protocol.Frames;
import dev.pgseal.wire.protocol.ProtocolViolation;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartupDecoderTest {
    private static final Supplier<ChannelHandler[]> PIPELINE = () -> new ChannelHandler[] {
        new StartupDecoder(ctx -> ctx.pipeline().addAfter(ctx.name(), "frames", new FrameDecoder(1 << 20)))};

    static byte[] packet(int code, byte[] rest) {
        return concat(body().int32(8 + rest.length).int32(code).build(), rest);
    }

    static byte[] startup(String... kv) {
        Frames.Body b = body();
        for (String s : kv) {
            b.cstring(s);
        }
        return packet(StartupPacket.PROTOCOL_3_0, b.byte8(0).build());
    }

    @Test
    void decodesAStartupMessageAndHandsTheFollowingBytesToTheFrameDecoder() {
        byte[] query = body().cstring("select 1").frame('Q');
        byte[] input = concat(startup("user", "alice", "database", "shop", "application_name", "app"), query);
        for (List<String> result : Frames.runSplitEverywhere(PIPELINE, input)) {
            assertThat(result).containsExactly("StartupMessage[3.0, user=alice, database=shop]", hex(query));
        }
    }

    @Test
    void keepsEveryStartupParameterInOrder() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", "alice");
        params.put("options", "-c search_path=x");
        params.put("application_name", "ä app");
        StartupMessage m = new StartupMessage(StartupPacket.PROTOCOL_3_0, params);
        var buf = m.encode(ByteBufAllocator.DEFAULT);
        byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        assertThat(bytes).isEqualTo(startup("user", "alice", "options", "-c search_path=x", "application_name", "ä app"));
        assertThat(m.database()).as("defaults to the user").isEqualTo("alice");
        assertThat(m.applicationName()).isEqualTo("ä app");
    }

    @Test
    void decodesEncryptionRequestsAndCancelRequests() {
        assertThat(Frames.run(PIPELINE, packet(StartupPacket.SSL_REQUEST_CODE, new byte[0]), 3)).containsExactly("SSLRequest");
        assertThat(Frames.run(PIPELINE, packet(StartupPacket.GSSENC_REQUEST_CODE, new byte[0]))).containsExactly("GSSENCRequest");
        byte[] cancel = packet(StartupPacket.CANCEL_REQUEST_CODE, body().int32(4242).int32(77).build());
        for (List<String> result : Frames.runSplitEverywhere(PIPELINE, cancel)) {
            assertThat(result).containsExactly("CancelRequest[pid=4242]");
        }
    }

    @Test
    void bytesBehindAnSslRequestAreRefused() {
        byte[] input = concat(packet(StartupPacket.SSL_REQUEST_CODE, new byte[0]), startup("user", "mallory"));
        assertThat(Frames.run(PIPELINE, input))
                .containsExactly(new ProtocolViolation("received unencrypted data after encryption request").toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "00000004 | invalid length of startup packet: length: 4 (expected: >= 8 and <= 10000)",
        "00002711 | invalid length of startup packet: length: 10001 (expected: >= 8 and <= 10000)",
        "ffffffff | invalid length of startup packet: length: -1 (expected: >= 8 and <= 10000)",
        "0000000800020000 | unsupported frontend protocol 2.0: server supports 3.0 to 3.2",
        "0000000c04d2162f00000001 | invalid length of encryption request: length: 12 (expected: 8)",
        "0000000c04d2162e00000001 | invalid length of cancel request: length: 12 (expected: 16..268)",
        "0000000c00030000757a7a7a | invalid startup packet layout: string without terminator",
        "0000000f00030000750078000000aa | invalid startup packet layout: StartupMessage has 2 trailing bytes"})
    void malformedPacketsAreOneViolation(String hexInput, String message) {
        byte[] input = ByteBufUtil.decodeHexDump(hexInput + "00000000");
        for (List<String> result : Frames.runSplitEverywhere(PIPELINE, input)) {
            assertThat(result).containsExactly(new ProtocolViolation(message).toString());
        }
    }
}
