package dev.pgseal.wire.session;

import static dev.pgseal.wire.session.SessionHarness.frames;
import static dev.pgseal.wire.session.SessionHarness.ready;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.Interception;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.backend.CommandComplete;
import dev.pgseal.wire.protocol.backend.ErrorFields;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Query;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backend direction's error paths, driven through {@link SessionHarness}: a DataRow the
 * interceptor cannot deliver ends the session with the interceptor's own error, a DataRow that must
 * wait pauses the direction and is retried with the same frame, and no input buffer leaks on any of
 * these paths.
 */
class BackendRelayTest {
    private static final ByteBufAllocator A = UnpooledByteBufAllocator.DEFAULT;

    /** Attaches a plan to every Query; its rows go through {@code rows}. */
    private static final class RowHook implements StatementInterceptor {
        final List<String> seen = new ArrayList<>();
        RowAction action = frame -> frame;

        @Override
        public Interception interceptQuery(Query query, PendingResponse entry) {
            entry.attach("plan");
            return Interception.pass();
        }

        @Override
        public ByteBuf onDataRow(ByteBuf frame, PendingResponse entry) {
            seen.add(value(frame));
            return action.apply(frame);
        }
    }

    @FunctionalInterface
    private interface RowAction {
        ByteBuf apply(ByteBuf frame);
    }

    static ByteBuf row(String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return A.buffer().writeByte('D').writeInt(4 + 2 + 4 + v.length).writeShort(1).writeInt(v.length).writeBytes(v);
    }

    static String value(ByteBuf frame) {
        int at = frame.readerIndex() + 7;
        int len = frame.getInt(at);
        return frame.toString(at + 4, len, StandardCharsets.UTF_8);
    }

    static ByteBuf description() {
        return new RowDescription(List.of(new RowDescription.Field("v", 0, (short) 0, 25, (short) -1, -1, (short) 0)))
                .encode(A);
    }

    static byte[] result(String... values) {
        List<ByteBuf> all = new ArrayList<>();
        all.add(description());
        for (String v : values) {
            all.add(row(v));
        }
        all.add(new CommandComplete("SELECT " + values.length).encode(A));
        all.add(ready('I'));
        return frames(all.toArray(ByteBuf[]::new));
    }

    static IntStream splits() {
        return IntStream.rangeClosed(0, result("a", "bad", "c").length);
    }

    @ParameterizedTest(name = "backend read split at byte {0}")
    @MethodSource("splits")
    void aRowTheInterceptorCannotDeliverEndsTheSessionWithItsErrorAndLeaksNothing(int split) {
        RowHook hook = new RowHook();
        hook.action = frame -> {
            if (value(frame).equals("bad")) {
                throw new StatementInterceptor.EndSession(new SessionRefusal("XX001",
                        "pgseal: a value of column public.t.c is not a valid envelope for its key ring"));
            }
            return frame;
        };
        try (SessionHarness h = new SessionHarness(hook)) {
            h.client(frames(new Query("select").encode(A)));
            h.backend(result("a", "bad", "c"), split);
            assertThat(h.endings).containsExactly(
                    "refused: XX001 pgseal: a value of column public.t.c is not a valid envelope for its key ring");
            assertThat(h.sentToClient()).extracting(f -> f.substring(0, 1)).containsExactly("T", "D");
            h.backend(frames(ready('I')));
            assertThat(h.sentToClient()).isEmpty();
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }

    @Test
    void aRowHookThatFailsEndsTheSessionWithAnInternalErrorAndLeaksNothing() {
        RowHook hook = new RowHook();
        hook.action = frame -> {
            throw new IllegalStateException("bug");
        };
        try (SessionHarness h = new SessionHarness(hook)) {
            h.client(frames(new Query("select").encode(A)));
            h.backend(result("a", "b"));
            assertThat(h.endings).singleElement().asString().startsWith("hook failed");
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }

    @ParameterizedTest(name = "backend read split at byte {0}")
    @MethodSource("splits")
    void aRowThatMustWaitPausesTheBackendAndIsRetriedWithTheSameFrame(int split) {
        RowHook hook = new RowHook();
        CompletableFuture<Void> keyLoaded = new CompletableFuture<>();
        hook.action = frame -> {
            if (value(frame).equals("bad") && !keyLoaded.isDone()) {
                throw new StatementInterceptor.RetryLater(keyLoaded);
            }
            ByteBuf out = row(value(frame).toUpperCase());
            frame.release();
            return out;
        };
        try (SessionHarness h = new SessionHarness(hook)) {
            h.client(frames(new Query("select").encode(A)));
            h.backend(result("a", "bad", "c"), split);
            assertThat(h.backendRelay.isPaused()).isTrue();
            List<String> before = h.sentToClient();
            assertThat(before).hasSize(2);
            assertThat(before.get(0)).startsWith("T:");
            assertThat(before.get(1)).startsWith("D:").endsWith("A");
            h.client(frames(new Query("select").encode(A)));
            h.backend(result("later"));
            assertThat(h.sentToClient()).isEmpty();
            keyLoaded.complete(null);
            h.runPendingTasks();
            assertThat(h.backendRelay.isPaused()).isFalse();
            assertThat(h.sentToClient()).extracting(f -> f.substring(0, 1))
                    .containsExactly("D", "D", "C", "Z", "T", "D", "C", "Z");
            assertThat(hook.seen).containsExactly("a", "bad", "bad", "c", "later");
            assertThat(h.tracker.isIdle()).isTrue();
            assertThat(h.endings).isEmpty();
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }

    @Test
    void aSessionClosedWhilePausedReleasesWhatItHeld() {
        RowHook hook = new RowHook();
        hook.action = frame -> {
            throw new StatementInterceptor.RetryLater(new CompletableFuture<>());
        };
        try (SessionHarness h = new SessionHarness(hook)) {
            h.client(frames(new Query("select").encode(A)));
            h.backend(result("a", "b"));
            h.backend(result("c"));
            assertThat(h.backendRelay.isPaused()).isTrue();
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }

    @Test
    void aNoticeCanBeRewritten() {
        StatementInterceptor redact = new StatementInterceptor() {
            @Override
            public ErrorFields rewriteNotice(ErrorFields notice) {
                return notice.with('M', "redacted");
            }
        };
        try (SessionHarness h = new SessionHarness(redact)) {
            ByteBuf notice = A.buffer().writeByte('N');
            int at = notice.writerIndex();
            notice.writeInt(0);
            new ErrorFields(Map.of('S', "NOTICE", 'C', "00000", 'M', "secret")).writeTo(notice);
            notice.setInt(at, notice.writerIndex() - at);
            h.backend(frames(notice));
            assertThat(h.sentToClient()).singleElement().asString().contains("redacted").doesNotContain("secret");
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }
}
