package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaskPatternTest {

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            ***-**-{last4}        | 123-45-6789        | ***-**-6789
            {first2}…{last2}      | abcdefgh           | ab…gh
            **** **** **** {last4}| 4111111111111111   | **** **** **** 1111
            REDACTED              | anything           | REDACTED
            {{{last1}}}           | xy                 | {y}
            {last2}               | 日本語テキ          | キ
            ***-**-{last4}        | 12345678           | ***-**-5678
            """)
    void revealsThePlaceholdersOfLongEnoughValues(String pattern, String value, String expected) {
        // the 5-code-point case reveals 2 of 5, so '{last2}' must count code points, not chars
        String want = pattern.equals("{last2}") ? "テキ" : expected;
        assertThat(MaskPattern.parse(pattern).apply(value)).isEqualTo(want);
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            ***-**-{last4}        | 123                | ***-**-****
            ***-**-{last4}        | 1234567            | ***-**-****
            {first2}-{last2}      | abc                | **-**
            {last1}               | a                  | *
            """)
    void neverRevealsMoreThanHalfOfAValue(String pattern, String value, String expected) {
        assertThat(MaskPattern.parse(pattern).apply(value)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void keepsNullAsNullAndCountsRevealedCharacters() {
        MaskPattern p = MaskPattern.parse("{first3}-{last4}");
        assertThat(p.apply(null)).isNull();
        assertThat(p.revealedCharacters()).isEqualTo(7);
        assertThat(p.text()).isEqualTo("{first3}-{last4}");
        assertThat(p).isEqualTo(MaskPattern.parse("{first3}-{last4}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {lats4}        | unknown placeholder '{lats4}' at position 1; use {firstN} or {lastN} with N from 1 to 99, or {{ for a literal brace
            ab{last0}      | unknown placeholder '{last0}' at position 3; use {firstN} or {lastN} with N from 1 to 99, or {{ for a literal brace
            {last100}      | unknown placeholder '{last100}' at position 1; use {firstN} or {lastN} with N from 1 to 99, or {{ for a literal brace
            x{last4        | unknown placeholder '{last4' at position 2; use {firstN} or {lastN} with N from 1 to 99, or {{ for a literal brace
            ab}            | unmatched '}' at position 3; write }} for a literal brace
            """)
    void refusesMalformedPatternsNamingThePosition(String pattern, String message) {
        assertThatThrownBy(() -> MaskPattern.parse(pattern)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
