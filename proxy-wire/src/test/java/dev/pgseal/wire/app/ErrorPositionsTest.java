package dev.pgseal.wire.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.sql.Splice;
import dev.pgseal.sql.TextEdit;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Error positions in the text pgseal sent map back to the client's text: unchanged before the first
 * edit, shifted by the length differences of the edits before, and the edit's start inside an edit.
 */
class ErrorPositionsTest {

    // Client text: "select 'ab' , 'cdef' x" — edits replace 'ab' (7..11) by 10 chars and 'cdef' (14..20) by 3.
    private static final EncryptingSession.Positions MAP = EncryptingSession.Positions.of(
            List.of(new TextEdit(7, 11, List.of(new Splice.Text("0123456789"))),
                    new TextEdit(14, 20, List.of(new Splice.Text("xyz")))),
            List.of("0123456789", "xyz"), null);

    @ParameterizedTest(name = "sent {0} -> client {1}")
    @CsvSource({
        "1, 1",     // before every edit
        "7, 7",     // the character just before the first edit
        "8, 8",     // first character of the first edit: its start
        "17, 8",    // last character of the first edit: its start
        "18, 12",   // right after the first edit: shifted by 10 - 4
        "21, 15",   // first character of the second edit: its start
        "23, 15",   // last character of the second edit
        "24, 21",   // after both: shifted by (10 - 4) + (3 - 6)
        "26, 23"})
    void positionsMapBackThroughTheEdits(int sent, int client) {
        assertThat(MAP.toClient(sent)).isEqualTo(client);
    }

    // Client text "s\uD83D\uDE00 'ab' \uD83D\uDE00x": PostgreSQL counts each emoji as one character, Java as
    // two chars; the edit replaces 'ab' (chars 4..8) by 10 chars.
    private static final String WIDE = "s\uD83D\uDE00 'ab' \uD83D\uDE00x";
    private static final EncryptingSession.Positions WIDE_MAP = EncryptingSession.Positions.of(
            List.of(new TextEdit(4, 8, List.of(new Splice.Text("0123456789")))), List.of("0123456789"), WIDE);

    @ParameterizedTest(name = "sent {0} -> client {1}")
    @CsvSource({
        "1, 1",     // s
        "2, 2",     // the first emoji, before the edit
        "3, 3",     // the space before the edit
        "4, 4",     // first character of the edit: its start
        "13, 4",    // last character of the edit
        "14, 8",    // the space after the edit, shifted by 10 - 4
        "15, 9",    // the second emoji
        "16, 10"})  // x: one character after the emoji, not two
    void positionsCountCharactersBeyondTheBmpOnce(int sent, int client) {
        assertThat(WIDE_MAP.toClient(sent)).isEqualTo(client);
    }

    @org.junit.jupiter.api.Test
    void aCharacterBeyondTheBmpInsideAnEditStillCountsOnceInTheClientText() {
        // Client "'\uD83D\uDE00' x" (the literal is chars 0..4), sent "abcdef x": x is character 8 sent, 5 in the client's.
        EncryptingSession.Positions map = EncryptingSession.Positions.of(
                List.of(new TextEdit(0, 4, List.of(new Splice.Text("abcdef")))), List.of("abcdef"), "'\uD83D\uDE00' x");
        assertThat(map.toClient(8)).isEqualTo(5);
        assertThat(map.toClient(3)).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1", "5", "100"})
    void withoutEditsPositionsAreUnchanged(int p) {
        assertThat(EncryptingSession.Positions.IDENTITY.toClient(p)).isEqualTo(p);
    }
}
