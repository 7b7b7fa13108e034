package dev.pgseal.wire.protocol;

import static dev.pgseal.wire.protocol.Frames.body;
import static dev.pgseal.wire.protocol.Frames.concat;
import static dev.pgseal.wire.protocol.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandler;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameDecoderTest {
    private static final Supplier<ChannelHandler[]> DECODER = () -> new ChannelHandler[] {new FrameDecoder(1024)};

    @Test
    void emitsEachWholeFrameWhereverTheInputIsSplit() {
        byte[] parse = body().cstring("s1").cstring("select $1").int16(1).int32(23).frame('P');
        byte[] sync = body().frame('S');
        byte[] query = body().cstring("select 1; select 2").frame('Q');
        byte[] input = concat(parse, sync, query);
        List<String> expected = List.of(hex(parse), hex(sync), hex(query));
        for (List<String> result : Frames.runSplitEverywhere(DECODER, input)) {
            assertThat(result).containsExactlyElementsOf(expected);
        }
    }

    @ParameterizedTest(name = "length {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "3 | invalid message length: length: 3 (expected: >= 4)",
        "-1 | invalid message length: length: -1 (expected: >= 4)",
        "1025 | message length 1025 exceeds limit 1024",
        "2147483647 | message length 2147483647 exceeds limit 1024"})
    void aBadLengthIsOneViolationAndTheRestIsDiscarded(int length, String message) {
        byte[] sync = body().frame('S');
        byte[] bad = body().byte8('Q').int32(length).cstring("select 1").build();
        byte[] input = concat(sync, bad, sync);
        for (List<String> result : Frames.runSplitEverywhere(DECODER, input)) {
            assertThat(result).containsExactly(hex(sync), new ProtocolViolation(message).toString());
        }
    }

    @Test
    void inBatchModeEmitsRunsOfWholeFramesThatTogetherAreTheInput() {
        byte[] parse = body().cstring("s1").cstring("select $1").int16(1).int32(23).frame('P');
        byte[] sync = body().frame('S');
        byte[] input = concat(parse, sync, parse, sync);
        Supplier<ChannelHandler[]> batching = () -> new ChannelHandler[] {new FrameDecoder(1024, true)};
        for (List<String> result : Frames.runSplitEverywhere(batching, input)) {
            assertThat(String.join("", result)).isEqualTo(hex(input));
            for (String run : result) {
                assertThat(List.of(hex(parse), hex(sync)).stream().anyMatch(run::startsWith)).as(run).isTrue();
            }
        }
        assertThat(Frames.run(batching, input)).containsExactly(hex(input));
    }

    @Test
    void inBatchModeTheFramesBeforeABadLengthStillComeOut() {
        byte[] sync = body().frame('S');
        byte[] bad = body().byte8('Q').int32(2000).build();
        assertThat(Frames.run(() -> new ChannelHandler[] {new FrameDecoder(1024, true)}, concat(sync, sync, bad)))
                .containsExactly(hex(concat(sync, sync)), new ProtocolViolation("message length 2000 exceeds limit 1024").toString());
    }

    @Test
    void aFrameOfExactlyTheLimitPasses() {
        byte[] big = Frames.frame('d', new byte[1020]);
        assertThat(Frames.run(DECODER, big, 500)).containsExactly(hex(big));
    }
}
