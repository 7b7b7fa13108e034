package dev.pgseal.wire.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogTextTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "psql|psql",
            "\"a\nb\"|a\\nb",
            "\"a\r\nb\"|a\\r\\nb",
            "\"tab\there\"|tab\\there",
            "\"\u001b[31mred\"|\\x1b[31mred",
            "\"del\u007f\"|del\\x7f",
            "\"c1\u0085\"|c1\\x85",
            "\"ls\u2028ps\u2029\"|ls\\u2028ps\\u2029",
            "\"back\\slash\"|back\\\\slash",
            "\"already\\nescaped\"|already\\\\nescaped",
            "\"émoji ✓\"|émoji ✓"})
    void controlCharactersAndBackslashesBecomeVisibleEscapes(String raw, String logged) {
        assertThat(LogText.escape(raw)).isEqualTo(logged);
    }

    @ParameterizedTest
    @CsvSource({"1", "31", "127", "133", "8232"})
    void noEscapedValueHoldsALineBreakOrAControlCharacter(int code) {
        String escaped = LogText.escape("x" + (char) code + "y");
        assertThat(escaped.chars()).noneMatch(c -> c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029);
    }

    @org.junit.jupiter.api.Test
    void nullIsLoggedAsTheWordNull() {
        assertThat(LogText.escape(null)).isEqualTo("null");
    }
}
