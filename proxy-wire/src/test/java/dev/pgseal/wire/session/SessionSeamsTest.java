package dev.pgseal.wire.session;

import static dev.pgseal.wire.session.SessionHarness.empty;
import static dev.pgseal.wire.session.SessionHarness.error;
import static dev.pgseal.wire.session.SessionHarness.frames;
import static dev.pgseal.wire.session.SessionHarness.ready;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.Interception;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.backend.CommandComplete;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Close;
import dev.pgseal.wire.protocol.frontend.Describe;
import dev.pgseal.wire.protocol.frontend.Execute;
import dev.pgseal.wire.protocol.frontend.FunctionCall;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.protocol.frontend.Sync;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The READY-phase seams a statement rewriter uses, driven through {@link SessionHarness}: plans follow
 * what PostgreSQL confirmed, decisions can replace, inject, refuse and suspend, and every input
 * buffer is released.
 */
class SessionSeamsTest {
    private static final ByteBufAllocator A = UnpooledByteBufAllocator.DEFAULT;

    /** Attaches the Parse's SQL as its plan and records the plan each Bind starts with. */
    static class PlanRecorder implements StatementInterceptor {
        final List<Object> bindPlans = new ArrayList<>();
        final List<String> injectedResponses = new ArrayList<>();

        @Override
        public Interception interceptParse(Parse parse, PendingResponse entry) {
            entry.attach(parse.sql());
            return Interception.pass();
        }

        @Override
        public Interception interceptBind(Bind bind, PendingResponse entry) {
            bindPlans.add(entry == null ? "skipped" : entry.attachment());
            return Interception.pass();
        }

        @Override
        public void onInjectedResponse(ByteBuf frame, PendingResponse entry) {
            injectedResponses.add((char) frame.getByte(frame.readerIndex()) + " " + entry.kind());
        }
    }

    static ByteBuf parse(String name, String sql) {
        return new Parse(name, sql, new int[0]).encode(A);
    }

    static ByteBuf bind(String statement) {
        return new Bind("", statement, new short[0], new byte[][] {"v".getBytes()}, new short[0]).encode(A);
    }

    static ByteBuf sync() {
        return Sync.INSTANCE.encode(A);
    }

    static ByteBuf execute() {
        return new Execute("", 0).encode(A);
    }

    static ByteBuf complete(String tag) {
        return new CommandComplete(tag).encode(A);
    }

    static IntStream splits() {
        int length = duplicateParseScript().length;
        return IntStream.rangeClosed(0, length);
    }

    static byte[] duplicateParseScript() {
        return frames(parse("s1", "plan A"), sync(), parse("s1", "plan B"), sync(), bind("s1"), execute(), sync());
    }

    @ParameterizedTest(name = "client read split at byte {0}")
    @MethodSource("splits")
    void aBindAfterAFailedDuplicateParseGetsThePlanPostgresKept(int split) {
        PlanRecorder plans = new PlanRecorder();
        try (SessionHarness h = new SessionHarness(plans)) {
            h.client(duplicateParseScript(), split);
            List<String> sent = h.sentToBackend();
            if (split == duplicateParseScript().length) {
                assertThat(sent).as("the Bind waits for the second Parse's outcome").hasSize(4);
            }
            assertThat(plans.bindPlans).isEmpty();
            h.backend(frames(empty('1'), ready('I'), error("42P05"), ready('I')));
            sent.addAll(h.sentToBackend());
            assertThat(sent).hasSize(7);
            assertThat(sent.get(4)).startsWith("B:");
            assertThat(plans.bindPlans).containsExactly("plan A");
            h.backend(frames(empty('2'), complete("SELECT 1"), ready('I')));
            assertThat(h.sentToClient()).extracting(f -> f.substring(0, 1)).containsExactly("1", "Z", "E", "Z", "2", "C", "Z");
            assertThat(h.tracker.isIdle()).isTrue();
            assertThat(h.tracker.registry().statementPlan("s1")).isEqualTo("plan A");
            assertThat(h.endings).isEmpty();
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }

    @Test
    void aBackendReadSplitAtEveryByteKeepsTheConfirmedPlan() {
        byte[] answers = frames(empty('1'), ready('I'), error("42P05"), ready('I'));
        for (int split = 0; split <= answers.length; split++) {
            PlanRecorder plans = new PlanRecorder();
            try (SessionHarness h = new SessionHarness(plans)) {
                h.client(duplicateParseScript());
                h.backend(answers, split);
                assertThat(plans.bindPlans).as("split at %d", split).containsExactly("plan A");
                h.close();
                assertThat(h.unreleased()).isZero();
            }
        }
    }

    @Test
    void aStatementClosedAndParsedAgainGetsTheNewPlan() {
        PlanRecorder plans = new PlanRecorder();
        try (SessionHarness h = new SessionHarness(plans)) {
            h.client(frames(parse("s1", "plan A"), sync(), new Close('S', "s1").encode(A), sync(),
                    parse("s1", "plan B"), sync(), bind("s1"), execute(), sync()));
            h.backend(frames(empty('1'), ready('I'), empty('3'), ready('I'), empty('1'), ready('I')));
            assertThat(plans.bindPlans).containsExactly("plan B");
        }
    }

    @Test
    void withinOneSyncGroupABindGetsThePlanOfTheParseInFlight() {
        PlanRecorder plans = new PlanRecorder();
        try (SessionHarness h = new SessionHarness(plans)) {
            h.client(frames(parse("s1", "plan A"), bind("s1"), execute(), sync()));
            assertThat(h.sentToBackend()).hasSize(4);
            assertThat(plans.bindPlans).containsExactly("plan A");
        }
    }

    @Test
    void aSkippedParseLeavesNoPlanBehind() {
        PlanRecorder plans = new PlanRecorder();
        try (SessionHarness h = new SessionHarness(plans)) {
            h.client(frames(parse("s1", "plan A"), sync()));
            h.backend(frames(empty('1'), ready('I')));
            // The first Bind fails, so PostgreSQL skips the Close and the Parse after it.
            h.client(frames(bind("nope"), new Close('S', "s1").encode(A), parse("s1", "plan B"), sync(), bind("s1"), sync()));
            h.backend(frames(error("26000"), ready('I')));
            assertThat(plans.bindPlans).containsExactly(null, "plan A");
            assertThat(h.tracker.registry().statementPlan("s1")).isEqualTo("plan A");
        }
    }

    @Test
    void discardAllForgetsEveryStatement() {
        try (SessionHarness h = new SessionHarness(new PlanRecorder())) {
            h.client(frames(parse("s1", "plan A"), sync()));
            h.backend(frames(empty('1'), ready('I')));
            h.client(frames(new Query("DISCARD ALL").encode(A)));
            h.backend(frames(complete("DISCARD ALL"), ready('I')));
            assertThat(h.tracker.registry().statementNames()).isEmpty();
        }
    }

    /** Refuses every Query, Parse and FunctionCall. */
    static final class RefuseAll implements StatementInterceptor {
        static final SessionRefusal NO = new SessionRefusal("0A000", "pgseal: refused: $x$ 'q' \\ \u00e9");

        @Override
        public Interception interceptQuery(Query query, PendingResponse entry) {
            return Interception.refuse(NO);
        }

        @Override
        public Interception interceptParse(Parse parse, PendingResponse entry) {
            return Interception.refuse(NO);
        }

        @Override
        public Interception interceptFunctionCall(FunctionCall call, PendingResponse entry) {
            return Interception.refuse(NO);
        }
    }

    @Test
    void aRefusedQueryBecomesADoBlockRaisingTheRefusal() {
        try (SessionHarness h = new SessionHarness(new RefuseAll())) {
            h.client(frames(new Query("select secret from t").encode(A)));
            List<String> sent = h.sentToBackend();
            assertThat(sent).singleElement().satisfies(q -> assertThat(q).startsWith("Q:DO $pgseal_")
                    .contains("ERRCODE = $pgseal_").contains("\\u00E9").doesNotContain("secret"));
            h.backend(frames(error("0A000"), ready('I')));
            assertThat(h.sentToClient()).extracting(f -> f.substring(0, 1)).containsExactly("E", "Z");
            assertThat(h.tracker.isIdle()).isTrue();
        }
    }

    @Test
    void aRefusedFunctionCallIsSentAsAQueryAndAnsweredAsAFailedCall() {
        try (SessionHarness h = new SessionHarness(new RefuseAll())) {
            ByteBuf call = A.buffer().writeByte('F').writeInt(0).writeInt(2924).writeShort(0).writeShort(0).writeShort(0);
            call.setInt(1, call.readableBytes() - 1);
            h.client(frames(call));
            assertThat(h.sentToBackend()).singleElement().satisfies(q -> assertThat(q).startsWith("Q:DO $pgseal_"));
            assertThat(h.tracker.pending()).extracting(PendingResponse::kind).containsExactly(ResponseKind.QUERY);
            h.backend(frames(error("0A000"), ready('I')));
            assertThat(h.sentToClient()).extracting(f -> f.substring(0, 1)).containsExactly("E", "Z");
            assertThat(h.endings).isEmpty();
            assertThat(h.tracker.isIdle()).isTrue();
        }
    }

    @Test
    void aRefusedStatementIsBoundWithoutTheClientsValues() {
        try (SessionHarness h = new SessionHarness(new RefuseAll())) {
            h.client(frames(parse("s1", "insert into t values ($1)"), sync()));
            h.backend(frames(empty('1'), ready('I')));
            h.client(frames(bind("s1"), execute(), sync()));
            List<String> sent = h.sentToBackend();
            assertThat(sent.get(0)).startsWith("P:s1|DO $pgseal_");
            assertThat(sent.get(2)).isEqualTo("B:|s1|||||||");
            assertThat(h.tracker.registry().statementPlan("s1")).isEqualTo(RefuseAll.NO);
        }
    }

    @Test
    void aSuspendedDecisionHoldsTheRestOfTheInputUntilItCompletes() {
        CompletableFuture<Interception> later = new CompletableFuture<>();
        StatementInterceptor slow = new StatementInterceptor() {
            @Override
            public Interception interceptQuery(Query query, PendingResponse entry) {
                return query.sql().equals("slow") ? Interception.suspend(later) : Interception.pass();
            }
        };
        try (SessionHarness h = new SessionHarness(slow)) {
            h.client(frames(new Query("first").encode(A), new Query("slow").encode(A), new Query("fast").encode(A)));
            assertThat(h.sentToBackend()).containsExactly("Q:first|");
            assertThat(h.clientRelay.isSuspended()).isTrue();
            h.client(frames(new Query("later").encode(A)));
            assertThat(h.sentToBackend()).isEmpty();
            later.complete(Interception.replace(new Query("rewritten").encode(A)));
            h.runPendingTasks();
            assertThat(h.sentToBackend()).containsExactly("Q:rewritten|", "Q:fast|", "Q:later|");
            assertThat(h.clientRelay.isSuspended()).isFalse();
            h.close();
            assertThat(h.unreleased()).isZero();
        }
    }

    @Test
    void anInjectedDescribeIsAnsweredToTheInterceptorOnly() {
        PlanRecorder recorder = new PlanRecorder() {
            @Override
            public Interception interceptParse(Parse parse, PendingResponse entry) {
                return Interception.replace(List.of(Interception.Outgoing.answered(parse.encode(A)),
                        Interception.Outgoing.injected(new Describe('S', parse.name()).encode(A))));
            }
        };
        try (SessionHarness h = new SessionHarness(recorder)) {
            h.client(frames(parse("s1", "select $1"), sync()));
            assertThat(h.sentToBackend()).extracting(f -> f.substring(0, 1)).containsExactly("P", "D", "S");
            ByteBuf parameters = A.buffer().writeByte('t').writeInt(10).writeShort(1).writeInt(25);
            ByteBuf noData = empty('n');
            h.backend(frames(empty('1'), parameters, noData, ready('I')));
            assertThat(h.sentToClient()).extracting(f -> f.substring(0, 1)).containsExactly("1", "Z");
            assertThat(recorder.injectedResponses).containsExactly("t DESCRIBE_STATEMENT", "n DESCRIBE_STATEMENT");
            assertThat(h.tracker.isIdle()).isTrue();
        }
    }

    @Test
    void settledIsTrueOnlyWhenEverythingBeforeWasAnsweredUpToReadyForQuery() {
        List<Boolean> settled = new ArrayList<>();
        SessionHarness[] holder = new SessionHarness[1];
        StatementInterceptor probe = new StatementInterceptor() {
            @Override
            public Interception interceptQuery(Query query, PendingResponse entry) {
                settled.add(holder[0].clientRelay.settled());
                return Interception.pass();
            }
        };
        try (SessionHarness h = new SessionHarness(probe)) {
            holder[0] = h;
            h.client(frames(new Query("set client_encoding to 'SJIS'").encode(A), new Query("select 1").encode(A)));
            h.backend(frames(complete("SET"), ready('I'), complete("SELECT 1"), ready('I')));
            h.client(frames(parse("", "x"), new Query("select 2").encode(A)));
            h.backend(frames(empty('1')));
            h.client(frames(sync(), new Query("select 3").encode(A)));
            h.backend(frames(complete("SELECT 1"), ready('I'), ready('I'), complete("SELECT 1"), ready('I')));
            h.client(frames(new Query("select 4").encode(A)));
            assertThat(settled).containsExactly(true, false, false, false, true);
        }
    }
}
