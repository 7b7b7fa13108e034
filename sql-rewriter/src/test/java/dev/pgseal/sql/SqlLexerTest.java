package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlLexerTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "'it''s'                  | STRING",
            "E'a\\'b'                 | STRING",
            "U&'d\\0061t'             | STRING",
            "$$x$$                    | STRING",
            "$fn$ select 'a' $fn$     | STRING",
            "$1                       | PARAMETER",
            "1.5e-3                   | NUMBER",
            "\"Mixed\"\"Case\"        | QUOTED_IDENTIFIER",
            "FooBar                   | WORD",
            "::                       | SYMBOL",
    })
    void readsEachLiteralFormAsOneToken(String sql, SqlToken.Kind kind) {
        List<SqlToken> tokens = SqlLexer.tokenize(sql);
        assertThat(tokens).hasSize(1);
        assertThat(tokens.get(0).kind()).isEqualTo(kind);
        assertThat(tokens.get(0).start()).isZero();
        assertThat(tokens.get(0).end()).isEqualTo(sql.length());
    }

    @Test
    void foldsUnquotedNamesAndKeepsQuotedOnes() {
        List<SqlToken> tokens = SqlLexer.tokenize("SELECT \"Mixed\"\"Q\" FROM Tab");
        assertThat(tokens).extracting(SqlToken::text).containsExactly("select", "Mixed\"Q", "from", "tab");
    }

    @Test
    void stringsSeparatedByANewlineAreOneLiteral() {
        List<SqlToken> tokens = SqlLexer.tokenize("select 'a'\n  'b' , 'c' 'd'");
        assertThat(tokens).extracting(SqlToken::kind).containsExactly(SqlToken.Kind.WORD, SqlToken.Kind.STRING,
                SqlToken.Kind.SYMBOL, SqlToken.Kind.STRING, SqlToken.Kind.STRING);
    }

    @Test
    void positionsPointIntoTheOriginalText() {
        String sql = "select /* c */ x from \"T\" where y = $12";
        for (SqlToken t : SqlLexer.tokenize(sql)) {
            String source = sql.substring(t.start(), t.end());
            if (t.kind() == SqlToken.Kind.WORD) {
                assertThat(source.toLowerCase()).isEqualTo(t.text());
            } else if (t.kind() != SqlToken.Kind.QUOTED_IDENTIFIER) {
                assertThat(source).isEqualTo(t.text());
            }
        }
    }
}
