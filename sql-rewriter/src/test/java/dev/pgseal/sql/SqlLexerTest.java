package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.lex.SqlLexException;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlLexerTest {

    /** Tokens as {@code KIND:text} joined by spaces; kinds abbreviated (W, Q, S, B, N, P, Y). */
    static String render(String sql, LexSettings settings) {
        return SqlLexer.tokenize(sql, settings).stream()
                .map(t -> abbreviation(t.kind()) + ":" + t.text())
                .collect(Collectors.joining(" "));
    }

    private static String abbreviation(SqlToken.Kind kind) {
        return switch (kind) {
            case WORD -> "W";
            case QUOTED_IDENTIFIER -> "Q";
            case STRING -> "S";
            case BIT_STRING -> "B";
            case NUMBER -> "N";
            case PARAMETER -> "P";
            case SYMBOL -> "Y";
        };
    }

    /** Test input is written with {@code ⏎} for \n, {@code ␍} for \r, {@code ⇥} for \t, {@code ␋} for \v, {@code ␌} for \f. */
    static String unescape(String s) {
        return s.replace('⏎', '\n').replace('␍', '\r').replace('⇥', '\t').replace('␋', '\u000B').replace('␌', '\f');
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "'it''s'                  | STRING",
            "E'a\\'b'                 | STRING",
            "U&'d\\0061t'             | STRING",
            "$$x$$                    | STRING",
            "$fn$ select 'a' $fn$     | STRING",
            "B'1010'                  | BIT_STRING",
            "X'1F'                    | BIT_STRING",
            "$1                       | PARAMETER",
            "1.5e-3                   | NUMBER",
            "\"Mixed\"\"Case\"        | QUOTED_IDENTIFIER",
            "U&\"\\0063\"             | QUOTED_IDENTIFIER",
            "FooBar                   | WORD",
            "::                       | SYMBOL",
            "U&'\\0061' UESCAPE '!'   | STRING",
    })
    void readsEachLiteralFormAsOneToken(String sql, SqlToken.Kind kind) {
        List<SqlToken> tokens = SqlLexer.tokenize(sql);
        assertThat(tokens).hasSize(1);
        assertThat(tokens.get(0).kind()).isEqualTo(kind);
        assertThat(tokens.get(0).start()).isZero();
        assertThat(tokens.get(0).end()).isEqualTo(sql.length());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // names: ASCII folding only, $ continues a name, non-ASCII starts one
            "SELECT Tab, \"Tab\", a$b$, _x1, ÉtÉ           | W:select W:tab Y:, Q:Tab Y:, W:a$b$ Y:, W:_x1 Y:, W:ÉtÉ",
            "U&\"\\0063ustomers\"                           | Q:customers",
            "U&\"\\+000063ustomers\"                        | Q:customers",
            "u&\"!0063ust\" UESCAPE '!'                     | Q:cust",
            "U&\"a!!b\" /* c */ uescape -- c⏎ '!'           | Q:a!b",
            "U&\"\\D83D\\DE00\"                             | Q:😀",
            "U&'\\D83D\\DE00 \\\\'                          | S:😀 \\",
            "U&'a' UESCAPE $$#$$                            | S:a",
            "U&x                                            | W:u Y:& W:x",
            // strings under standard_conforming_strings = on
            "'a\\nb'                                        | S:a\\nb",
            "E'a\\nb\\tc\\x41\\101\\u0042\\U00000043\\q'   | S:a⏎b⇥cAABCq",
            "e'\\303\\251'                                  | S:é",
            "E'\\uD83D\\uDE00'                              | S:😀",
            "N'x'                                           | W:nchar S:x",
            "B'1''0'                                        | B:b1 S:0",
            "$a$ it's $b$ $a$                               | `S: it's $b$ `",
            "$a$x$ab$y$a$                                   | S:x$ab$y",
            "$1abc $ $x                                     | P:$1 W:abc Y:$ Y:$ W:x",
            // continuation: newline needed; -- comments count; /* */ and no newline break it; \r counts
            "'a'⏎'b'                                        | S:ab",
            "'a'␍'b'                                        | S:ab",
            "'a' 'b'                                        | S:a S:b",
            "'a' -- c⏎ 'b'                                  | S:ab",
            "'a'⏎-- one⏎-- two⏎'b'                          | S:ab",
            "'a'⏎-- one'b'                                  | S:a",
            "'a' /* c */⏎'b'                                | S:a S:b",
            "'a'⏎/* c */'b'                                 | S:a S:b",
            "E'\\x41'⏎'\\x42'                               | S:AB",
            "U&'\\0061'⏎'\\0062'                            | S:ab",
            "X'1F'⏎'2E'                                     | B:x1F2E",
            "'a'⇥␌␋⏎ ⏎'b'                                   | S:ab",
            // the bypass from the issue
            "SELECT E'x' -- c⏎'\\'' , ssn FROM customers --'  | W:select S:x' Y:, W:ssn W:from W:customers",
            // comments and operators
            "a/* x /* y */ z */b                            | W:a W:b",
            "a--b⏎c␍d                                       | W:a W:c W:d",
            "1*--2⏎3                                        | N:1 Y:* N:3",
            "a+/*x*/b                                       | W:a Y:+ W:b",
            "a <=-1 b @- c !=-d                             | W:a Y:<= Y:- N:1 W:b Y:@- W:c Y:!=- W:d",
            "x::int[1:2] a:=b .. .5                         | W:x Y::: W:int Y:[ N:1 Y:: N:2 Y:] W:a Y::= W:b Y:.. N:.5",
            // numbers never swallow a name
            "1customers 0x1F 1_000 1e5x 1.e 2..3            | N:1 W:customers N:0 W:x1f N:1 W:_000 N:1e5 W:x N:1. W:e N:2 Y:.. N:3",
            // whitespace is scan.l's, not Java's
            "a\u00A0b                                       | W:a\u00A0b",
    })
    void tokenizesAsPostgresqlDoesWithStandardStrings(String sql, String expected) {
        assertThat(render(unescape(sql), LexSettings.STANDARD)).isEqualTo(unescape(expected));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "'a\\nb'                                        | S:a⏎b",
            "'it\\'s' , 'x'                                 | S:it's Y:, S:x",
            "'\\' , ssn FROM customers --'                  | S:' , ssn FROM customers --",
            "'a'⏎'\\x42'                                    | S:aB",
            "U&\"\\0063ustomers\"                           | Q:customers",
            "$$\\n$$                                        | S:\\n",
    })
    void plainStringsTakeBackslashEscapesWhenNotStandardConforming(String sql, String expected) {
        assertThat(render(unescape(sql), LexSettings.LEGACY)).isEqualTo(unescape(expected));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "select 'open",
            "select E'open\\'",
            "select \"open",
            "select $a$ open $b$",
            "select /* open /* */",
            "select B'01",
            "select X'1F",
            "select \"\"",
            "select U&\"\"",
            "select E'\\u12'",
            "select E'\\uD83D'",
            "select E'\\uDE00'",
            "select E'\\uD83Dx'",
            "select E'\\u0000'",
            "select E'\\U00110000'",
            "select E'\\000'",
            "select E'\\xff'",
            "select E'\\303'",
            "select U&'\\12'",
            "select U&'\\0000'",
            "select U&'\\D83D'",
            "select U&'\\DE00'",
            "select U&'\\D83Dx'",
            "select U&'\\+110000'",
            "select U&'a' UESCAPE 'ab'",
            "select U&'a' UESCAPE '+'",
            "select U&'a' UESCAPE 'f'",
            "select U&'a' UESCAPE ' '",
            "select U&'a' UESCAPE U&'!'",
            "select U&'a' UESCAPE x",
            "select 1 +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++! 2",
    })
    void rejectsWhatPostgresqlsLexerRejects(String sql) {
        assertThatThrownBy(() -> SqlLexer.tokenize(sql)).isInstanceOf(SqlLexException.class);
    }

    @Test
    void unicodeStringsAreRefusedWhenNotStandardConforming() {
        assertThatThrownBy(() -> SqlLexer.tokenize("select U&'a'", LexSettings.LEGACY))
                .isInstanceOf(SqlLexException.class)
                .hasMessageContaining("unsafe use of string constant with Unicode escapes");
    }

    @Test
    void unterminatedLegacyStringHidesTheRestOfTheText() {
        // With standard_conforming_strings off, '\' does not close: the text is one open literal.
        assertThatThrownBy(() -> SqlLexer.tokenize("select '\\' from customers", LexSettings.LEGACY))
                .isInstanceOf(SqlLexException.class);
        assertThat(render("select '\\' from customers", LexSettings.STANDARD))
                .isEqualTo("W:select S:\\ W:from W:customers");
    }

    @Test
    void namesAreTruncatedTo63BytesWithoutSplittingACharacter() {
        String ascii = "a".repeat(70);
        assertThat(SqlLexer.tokenize(ascii).get(0).text()).isEqualTo("a".repeat(63));
        assertThat(SqlLexer.tokenize("\"" + "B".repeat(64) + "\"").get(0).text()).isEqualTo("B".repeat(63));
        // 62 ASCII bytes then a 2-byte character: 64 bytes, so the character goes whole.
        String split = "x".repeat(62) + "é";
        assertThat(SqlLexer.tokenize(split).get(0).text()).isEqualTo("x".repeat(62));
        // 61 + 2 = 63 bytes fit exactly.
        String fits = "x".repeat(61) + "é" + "y";
        assertThat(SqlLexer.tokenize(fits).get(0).text()).isEqualTo("x".repeat(61) + "é");
        // Truncation applies after U& decoding: 63 escapes of 'c' plus "ustomers".
        String escaped = "U&\"" + "\\0063".repeat(63) + "ustomers\"";
        assertThat(SqlLexer.tokenize(escaped).get(0).text()).isEqualTo("c".repeat(63));
        // A long name whose first 63 bytes are a protected table's name is that table.
        String longName = "customers" + "_".repeat(54) + "suffix";
        assertThat(SqlLexer.tokenize(longName).get(0).text()).isEqualTo("customers" + "_".repeat(54));
    }

    @Test
    void foldsUnquotedNamesAndKeepsQuotedOnes() {
        List<SqlToken> tokens = SqlLexer.tokenize("SELECT \"Mixed\"\"Q\" FROM Tab");
        assertThat(tokens).extracting(SqlToken::text).containsExactly("select", "Mixed\"Q", "from", "tab");
    }

    @Test
    void onlyAsciiLettersFold() {
        // PostgreSQL folds A-Z only in a UTF-8 database; Java's toLowerCase would also fold É and the Kelvin sign.
        assertThat(SqlLexer.tokenize("ÉCOLE").get(0).text()).isEqualTo("École");
        assertThat(SqlLexer.tokenize("\u212A").get(0).text()).isEqualTo("\u212A");
    }

    @Test
    void stringsSeparatedByANewlineAreOneLiteral() {
        List<SqlToken> tokens = SqlLexer.tokenize("select 'a'\n  'b' , 'c' 'd'");
        assertThat(tokens).extracting(SqlToken::kind).containsExactly(SqlToken.Kind.WORD, SqlToken.Kind.STRING,
                SqlToken.Kind.SYMBOL, SqlToken.Kind.STRING, SqlToken.Kind.STRING);
        assertThat(tokens.get(1).text()).isEqualTo("ab");
    }

    @Test
    void positionsPointIntoTheOriginalText() {
        String sql = "select /* c */ x from \"T\" where y = $12 and z = E'a\\n'\n'b' and U&'!0061' UESCAPE '!' = 1";
        List<SqlToken> tokens = SqlLexer.tokenize(sql);
        for (SqlToken t : tokens) {
            String source = sql.substring(t.start(), t.end());
            if (t.kind() == SqlToken.Kind.WORD) {
                assertThat(source.toLowerCase()).isEqualTo(t.text());
            } else if (t.kind() == SqlToken.Kind.SYMBOL || t.kind() == SqlToken.Kind.NUMBER
                    || t.kind() == SqlToken.Kind.PARAMETER) {
                assertThat(source).isEqualTo(t.text());
            }
        }
        SqlToken continued = tokens.stream().filter(t -> t.text().equals("a\nb")).findFirst().orElseThrow();
        assertThat(sql.substring(continued.start(), continued.end())).isEqualTo("E'a\\n'\n'b'");
        SqlToken unicode = tokens.stream().filter(t -> t.text().equals("a")).findFirst().orElseThrow();
        assertThat(sql.substring(unicode.start(), unicode.end())).isEqualTo("U&'!0061' UESCAPE '!'");
    }
}
