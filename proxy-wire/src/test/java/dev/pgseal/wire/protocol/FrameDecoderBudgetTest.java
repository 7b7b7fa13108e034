package dev.pgseal.wire.protocol;

import static dev.pgseal.wire.protocol.Frames.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The shared budget for partial messages and the limit that rises after authentication. */
class FrameDecoderBudgetTest {
    private static byte[] query(int sqlLength) {
        return body().cstring("x".repeat(sqlLength)).frame('Q');
    }

    @Test
    void aPartialMessageHoldsItsBytesInTheBudgetUntilItCompletes() {
        BufferBudget budget = new BufferBudget(1000);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(10_000, true, budget));
        byte[] q = query(600);
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(q, 400)));
        assertThat(budget.used()).isEqualTo(400);
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(q, 400, q.length)));
        assertThat(budget.used()).isZero();
        ByteBuf frame = ch.readInbound();
        assertThat(frame.readableBytes()).isEqualTo(q.length);
        frame.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aPartialMessageBeyondTheBudgetIsOneBufferLimitExceededAndTakesNothing() {
        BufferBudget budget = new BufferBudget(1000);
        assertThat(budget.tryReserve(700)).isTrue(); // another session
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(10_000, true, budget));
        byte[] q = query(600);
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(q, 400)));
        Object out = ch.readInbound();
        assertThat(out).isInstanceOf(BufferLimitExceeded.class);
        assertThat(((BufferLimitExceeded) out).message()).contains("limits.max_buffered_bytes: 1000");
        assertThat(budget.used()).isEqualTo(700);
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(q, 400, q.length)));
        assertThat((Object) ch.readInbound()).as("input after the failure is discarded").isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void closingTheChannelGivesThePartialMessageBack() {
        BufferBudget budget = new BufferBudget(1000);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(10_000, true, budget));
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(query(600), 300)));
        assertThat(budget.used()).isEqualTo(300);
        ch.finishAndReleaseAll();
        assertThat(budget.used()).isZero();
    }

    @Test
    void theLimitCanRiseWhileTheChannelLives() {
        FrameDecoder decoder = new FrameDecoder(100, true);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        decoder.setMaxMessageBytes(1000);
        byte[] q = query(500);
        ch.writeInbound(Unpooled.wrappedBuffer(q));
        ByteBuf frame = ch.readInbound();
        assertThat(frame.readableBytes()).isEqualTo(q.length);
        frame.release();
        decoder.setMaxMessageBytes(100);
        ch.writeInbound(Unpooled.wrappedBuffer(q));
        assertThat((Object) ch.readInbound()).isEqualTo(new ProtocolViolation("message length " + (q.length - 1) + " exceeds limit 100"));
        assertThat(ch.finish()).isFalse();
    }
}
