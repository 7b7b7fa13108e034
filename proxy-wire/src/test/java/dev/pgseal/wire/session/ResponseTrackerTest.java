package dev.pgseal.wire.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.wire.protocol.FrontendMessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The FIFO matches each backend message to the frontend message it answers. Scripts interleave
 * client messages ({@code >P S_1}: Parse of S_1, {@code >B p s}: Bind portal p of statement s,
 * {@code >D S name}, {@code >E portal}, {@code >C S name}, {@code >S}, {@code >Q}, {@code >F},
 * {@code >H} Flush, {@code >d} CopyData, {@code >c} CopyDone, {@code >f} CopyFail) with backend
 * messages ({@code <1 PARSE:S_1}: the type byte and the entry it must be matched to, written
 * KIND[:statement][/portal][#resultIndex]; {@code -} for no entry).
 */
class ResponseTrackerTest {

    static Stream<Arguments> scripts() {
        return Stream.of(
                Arguments.of("pipelined batch Parse/Bind/Describe/Execute x3/Sync (pgjdbc executeBatch)", """
                        >P S_1
                        >B  S_1
                        >D P
                        >E
                        >B  S_1
                        >E
                        >B  S_1
                        >E
                        >S
                        <1 PARSE:S_1
                        <2 BIND:S_1/
                        <n DESCRIBE_PORTAL:S_1/
                        <C EXECUTE:S_1/
                        <2 BIND:S_1/
                        <C EXECUTE:S_1/
                        <2 BIND:S_1/
                        <C EXECUTE:S_1/
                        <Z SYNC
                        """),
                Arguments.of("rows of a pipelined select belong to their Execute", """
                        >P
                        >B
                        >D P
                        >E
                        >S
                        <1 PARSE:
                        <2 BIND:/
                        <T DESCRIBE_PORTAL:/
                        <D EXECUTE:/
                        <D EXECUTE:/
                        <C EXECUTE:/
                        <Z SYNC
                        """),
                Arguments.of("error mid-batch discards the entries up to Sync", """
                        >P S_1
                        >B  S_1
                        >E
                        >B  S_1
                        >E
                        >B  S_1
                        >E
                        >S
                        >Q
                        <1 PARSE:S_1
                        <2 BIND:S_1/
                        <C EXECUTE:S_1/
                        <2 BIND:S_1/
                        <E EXECUTE:S_1/
                        <Z SYNC
                        <T QUERY
                        <D QUERY
                        <C QUERY
                        <Z QUERY
                        """),
                Arguments.of("error before the client sent Sync: later messages are skipped until Sync", """
                        >P
                        >B
                        >E
                        >H
                        <E PARSE:
                        >B
                        >E
                        >S
                        <Z SYNC
                        """),
                Arguments.of("simple query with three statements and an error in the second", """
                        >Q
                        <T QUERY#0
                        <D QUERY#0
                        <C QUERY#0
                        <E QUERY#1
                        <Z QUERY#2
                        """),
                Arguments.of("simple query with three results", """
                        >Q
                        <C QUERY#0
                        <T QUERY#1
                        <D QUERY#1
                        <D QUERY#1
                        <C QUERY#1
                        <I QUERY#2
                        <Z QUERY#3
                        """),
                Arguments.of("COPY FROM STDIN by simple query", """
                        >Q
                        <G QUERY
                        >d
                        >d
                        >c
                        <C QUERY#0
                        <Z QUERY#1
                        """),
                Arguments.of("COPY FROM STDIN failed by the client", """
                        >Q
                        <G QUERY
                        >d
                        >f
                        <E QUERY#0
                        <Z QUERY#1
                        """),
                Arguments.of("COPY FROM STDIN by extended query: the Sync sent with Execute is consumed by the COPY", """
                        >P
                        >B
                        >E
                        >S
                        <1 PARSE:
                        <2 BIND:/
                        <G EXECUTE:/
                        >d
                        >c
                        >S
                        <C EXECUTE:/
                        <Z SYNC
                        """),
                Arguments.of("COPY FROM STDIN with CopyDone pipelined before CopyInResponse", """
                        >Q
                        >d
                        >c
                        >Q
                        <G QUERY#0
                        <C QUERY#0
                        <Z QUERY#1
                        <C QUERY#0
                        <Z QUERY#1
                        """),
                Arguments.of("COPY TO STDOUT by simple query", """
                        >Q
                        <H QUERY#0
                        <d QUERY#0
                        <d QUERY#0
                        <c QUERY#0
                        <C QUERY#0
                        <Z QUERY#1
                        """),
                Arguments.of("COPY TO STDOUT by extended query", """
                        >P
                        >B
                        >E
                        >S
                        <1 PARSE:
                        <2 BIND:/
                        <H EXECUTE:/
                        <d EXECUTE:/
                        <c EXECUTE:/
                        <C EXECUTE:/
                        <Z SYNC
                        """),
                Arguments.of("FunctionCall", """
                        >F
                        >F
                        <V FUNCTION_CALL
                        <Z FUNCTION_CALL
                        <E FUNCTION_CALL
                        <Z FUNCTION_CALL
                        """),
                Arguments.of("asynchronous messages interleaved match no entry", """
                        >Q
                        <N -
                        <T QUERY
                        <A -
                        <D QUERY
                        <S -
                        <D QUERY
                        <C QUERY
                        <N -
                        <Z QUERY
                        <A -
                        """),
                Arguments.of("Describe of a statement: ParameterDescription then RowDescription or NoData", """
                        >P s1
                        >D S s1
                        >P s2
                        >D S s2
                        >S
                        <1 PARSE:s1
                        <t DESCRIBE_STATEMENT:s1
                        <T DESCRIBE_STATEMENT:s1
                        <1 PARSE:s2
                        <t DESCRIBE_STATEMENT:s2
                        <n DESCRIBE_STATEMENT:s2
                        <Z SYNC
                        """),
                Arguments.of("Execute with a row limit: PortalSuspended, then more rows", """
                        >B c1 s1
                        >E c1
                        >H
                        <2 BIND:s1/c1
                        <D EXECUTE:s1/c1
                        <s EXECUTE:s1/c1
                        >E c1
                        >S
                        <D EXECUTE:s1/c1
                        <C EXECUTE:s1/c1
                        <Z SYNC
                        """),
                Arguments.of("Close of statement and portal", """
                        >C S s1
                        >C P c1
                        >S
                        <3 CLOSE:s1
                        <3 CLOSE/c1
                        <Z SYNC
                        """),
                Arguments.of("error while committing at Sync, then ReadyForQuery", """
                        >S
                        <E SYNC
                        <Z SYNC
                        """),
                Arguments.of("FATAL error with nothing pending (e.g. server shutdown)", """
                        <E -
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void matchesEveryBackendMessageToTheMessageItAnswers(String name, String script) {
        ResponseTracker tracker = new ResponseTracker();
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (String line : script.split("\n")) {
            if (line.startsWith(">")) {
                client(tracker, line.substring(1));
            } else if (line.startsWith("<")) {
                byte type = (byte) line.charAt(1);
                String want = line.substring(3);
                expected.add(line.charAt(1) + " " + want);
                PendingResponse entry = tracker.onBackend(type);
                actual.add(line.charAt(1) + " " + label(entry, want.contains("#")));
            }
        }
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(tracker.isIdle()).as("nothing left pending: %s", tracker.pending()).isTrue();
    }

    @Test
    void aBackendMessageNoEntryExpectsIsAMismatch() {
        ResponseTracker tracker = new ResponseTracker();
        client(tracker, "S");
        assertThatThrownBy(() -> tracker.onBackend((byte) '1'))
                .isInstanceOf(ProtocolMismatchException.class)
                .hasMessageContaining("'1'").hasMessageContaining("SYNC");
    }

    @Test
    void aDataRowBeforeARowDescriptionInASimpleQueryIsAMismatch() {
        ResponseTracker tracker = new ResponseTracker();
        client(tracker, "Q");
        assertThatThrownBy(() -> tracker.onBackend((byte) 'D')).isInstanceOf(ProtocolMismatchException.class);
    }

    @Test
    void aResponseWithNothingPendingIsAMismatch() {
        ResponseTracker tracker = new ResponseTracker();
        assertThatThrownBy(() -> tracker.onBackend((byte) 'Z')).isInstanceOf(ProtocolMismatchException.class)
                .hasMessageContaining("no request pending");
    }

    @Test
    void tracksPreparedStatementsAndPortalsPostgresConfirmed() {
        ResponseTracker tracker = new ResponseTracker();
        client(tracker, "P s1");
        client(tracker, "P s2");
        client(tracker, "B c1 s1");
        client(tracker, "S");
        tracker.onBackend((byte) '1');
        tracker.onBackend((byte) 'E'); // s2 failed: never created, Bind skipped
        tracker.onBackend((byte) 'Z');
        tracker.onTransactionStatus('T');
        assertThat(tracker.preparedStatements()).containsExactly("s1");
        assertThat(tracker.openPortals()).isEmpty();

        client(tracker, "B c1 s1");
        client(tracker, "S");
        tracker.onBackend((byte) '2');
        tracker.onBackend((byte) 'Z');
        tracker.onTransactionStatus('T');
        assertThat(tracker.openPortals()).containsEntry("c1", "s1");

        client(tracker, "C S s1");
        client(tracker, "S");
        tracker.onBackend((byte) '3');
        tracker.onBackend((byte) 'Z');
        tracker.onTransactionStatus('I');
        assertThat(tracker.preparedStatements()).isEmpty();
        assertThat(tracker.openPortals()).as("portals end with the transaction").isEmpty();
    }

    @Test
    void portalsBoundInAFinishedTransactionAreForgottenButPipelinedOnesStay() {
        ResponseTracker tracker = new ResponseTracker();
        for (int i = 0; i < 100; i++) {
            client(tracker, "B C_" + i + " s1");
            client(tracker, "E C_" + i);
            client(tracker, "S");
        }
        client(tracker, "B next s1");
        for (int i = 0; i < 100; i++) {
            tracker.onBackend((byte) '2');
            tracker.onBackend((byte) 'C');
            tracker.onBackend((byte) 'Z');
            tracker.onTransactionStatus('I');
        }
        assertThat(tracker.boundPortalCount()).as("only the Bind sent after the last Sync").isEqualTo(1);
        client(tracker, "E next");
        assertThat(tracker.pending()).last().extracting(PendingResponse::statementName).isEqualTo("s1");
    }

    @Test
    void anAttachmentTravelsWithItsEntry() {
        ResponseTracker tracker = new ResponseTracker();
        PendingResponse parse = client(tracker, "P s1");
        Object plan = new Object();
        parse.attach(plan);
        client(tracker, "S");
        assertThat(tracker.onBackend((byte) '1').attachment()).isSameAs(plan);
    }

    @Test
    void withPropagationAnAttachmentAtParseReachesDescribeBindAndExecute() {
        ResponseTracker tracker = new ResponseTracker();
        tracker.propagateAttachments();
        client(tracker, "P s1").attach("plan-1");
        client(tracker, "P s2").attach("plan-2");
        assertThat(client(tracker, "D S s1").attachment()).isEqualTo("plan-1");
        assertThat(client(tracker, "B c1 s2").attachment()).isEqualTo("plan-2");
        assertThat(client(tracker, "D P c1").attachment()).isEqualTo("plan-2");
        assertThat(client(tracker, "E c1").attachment()).isEqualTo("plan-2");
        client(tracker, "B c1 s1").attach("override");
        assertThat(client(tracker, "E c1").attachment()).isEqualTo("override");
        client(tracker, "C S s1");
        assertThat(client(tracker, "B c2 s1").attachment()).as("closed statement").isNull();
        assertThat(client(tracker, "Q").attachment()).isNull();
    }

    @Test
    void withoutPropagationEntriesStartEmpty() {
        ResponseTracker tracker = new ResponseTracker();
        client(tracker, "P s1").attach("plan-1");
        assertThat(client(tracker, "B c1 s1").attachment()).isNull();
    }

    private static PendingResponse client(ResponseTracker tracker, String message) {
        String[] parts = message.split(" ", -1);
        char type = parts[0].charAt(0);
        String a1 = parts.length > 1 ? parts[1] : "";
        String a2 = parts.length > 2 ? parts[2] : "";
        FrontendMessageType t = FrontendMessageType.of((byte) type);
        return switch (type) {
            case 'D', 'C' -> tracker.onFrontend(t, a1.charAt(0), a2, null);
            default -> tracker.onFrontend(t, ' ', a1, a2);
        };
    }

    private static String label(PendingResponse e, boolean withIndex) {
        if (e == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(e.kind().name());
        if (e.statementName() != null) {
            sb.append(':').append(e.statementName());
        }
        if (e.portalName() != null) {
            sb.append('/').append(e.portalName());
        }
        if (withIndex) {
            sb.append('#').append(e.resultIndex());
        }
        return sb.toString();
    }
}
