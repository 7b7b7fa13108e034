package dev.pgseal.sql.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.sql.lex.LexSettings;
import java.util.List;
import java.util.stream.Stream;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlSelect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden cases for the pre-lexer and facade: statement kinds, exact leaf positions, values. */
class PgSqlParserTest {

    static ParsedSql parse(String sql) throws SqlSyntaxException {
        return PgSqlParser.parse(sql, LexSettings.STANDARD);
    }

    /** SQL in; statement kinds and leaves ({@code kind:original text=value}) out, in text order. */
    static Stream<Arguments> golden() {
        return Stream.of(
                Arguments.of("SELECT a, T.b FROM t WHERE b = $12",
                        "SELECT", "id:a | id:T.b | id:t | id:b | param:$12=12"),
                Arguments.of("UPDATE t SET a = $1 WHERE id = $2",
                        "UPDATE", "id:t | id:a | param:$1=1 | id:id | param:$2=2"),
                Arguments.of("DELETE FROM t WHERE id = 3",
                        "DELETE", "id:t | id:id | lit:3"),
                Arguments.of("insert into t (a,b) values ($1, DEFAULT), (NULL, U&'\\0041')",
                        "INSERT", "id:t | id:a | id:b | param:$1=1 | lit:NULL | lit:U&'\\0041'=A"),
                Arguments.of("select E'x\\ny', 'it''s', $$dol'q$$, $t$a$$b$t$, 'con'\n  'tinued' from t",
                        "SELECT", "lit:E'x\\ny'=x\ny | lit:'it''s'=it's | lit:$$dol'q$$=dol'q"
                                + " | lit:$t$a$$b$t$=a$$b | lit:'con'\n  'tinued'=continued | id:t"),
                Arguments.of("select date '2024-01-01', x'1F', b'101', N'nat' from t",
                        "SELECT", "lit:date '2024-01-01'=2024-01-01 | lit:x'1F'=x1F | lit:b'101'=b101"
                                + " | lit:N'nat'=nat | id:t"),
                Arguments.of("select 1; ;; DELETE FROM t -- bye\n;",
                        "SELECT DELETE", "lit:1 | id:t"),
                // Tabs, CRLF, a lone CR, nested comments, characters outside the BMP.
                Arguments.of("select\t'é😀',\r\n 'a\r\nb', Ça\tfrom t /* c /* n */ */ where \"ü😀x\" = $1 and\r"
                                + "U&\"d\\0061t\\+000061\" = U&'!0041' UESCAPE '!'",
                        "SELECT", "lit:'é😀'=é😀 | lit:'a\r\nb'=a\r\nb | id:Ça | id:t | id:\"ü😀x\" | param:$1=1"
                                + " | id:U&\"d\\0061t\\+000061\" | lit:U&'!0041' UESCAPE '!'=A"),
                // A name longer than 63 bytes is cut as PostgreSQL cuts it, but its span is the whole word.
                Arguments.of("SELECT x FROM t WHERE Abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij = $3",
                        "SELECT", "id:x | id:t | id:Abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
                                + " | param:$3=3"));
    }

    @ParameterizedTest
    @MethodSource("golden")
    void parsesWithExactPositionsParametersAndValues(String sql, String kinds, String leaves) throws Exception {
        ParsedSql parsed = parse(sql);
        assertThat(String.join(" ", parsed.statements().stream().map(s -> s.node().getKind().name()).toList()))
                .isEqualTo(kinds);
        assertThat(String.join(" | ", Leaves.of(parsed))).isEqualTo(leaves);
    }

    @Test
    void namesAreFoldedAsPostgresFoldsThem() throws Exception {
        ParsedSql parsed = parse("SELECT Ça, T.\"B\", U&\"\\00e9\" FROM Tab");
        SqlSelect select = (SqlSelect) parsed.statements().get(0).node();
        assertThat(select.getSelectList().stream().map(n -> (List<String>) List.copyOf(((SqlIdentifier) n).names)).toList())
                .containsExactly(List.of("Ça"), List.of("t", "B"), List.of("é"));
        assertThat(((SqlIdentifier) select.getFrom()).names).containsExactly("tab");
        String long64 = "a".repeat(64);
        SqlSelect cut = (SqlSelect) parse("select " + long64).statements().get(0).node();
        assertThat(((SqlIdentifier) cut.getSelectList().get(0)).getSimple()).isEqualTo("a".repeat(63));
    }

    @Test
    void statementSpansCoverTokensWithoutSemicolons() throws Exception {
        String sql = "  /* x */ SELECT 1 ;\n\tSELECT $1 -- c\n";
        ParsedSql parsed = parse(sql);
        assertThat(parsed.statements()).extracting(s -> sql.substring(s.start(), s.end()))
                .containsExactly("SELECT 1", "SELECT $1");
    }

    @Test
    void aParameterSpansItsWholeTokenInsideLargerNodes() throws Exception {
        String sql = "SELECT * FROM t WHERE a = $10";
        ParsedSql parsed = parse(sql);
        SqlBasicCall where = (SqlBasicCall) ((SqlSelect) parsed.statements().get(0).node()).getWhere();
        assertThat(sql.substring(parsed.offset(where.getParserPosition()), parsed.endOffset(where.getParserPosition())))
                .isEqualTo("a = $10");
    }

    @Test
    void legacyStringsTakeBackslashEscapes() throws Exception {
        ParsedSql parsed = PgSqlParser.parse("select 'a\\'b'", LexSettings.LEGACY);
        assertThat(Leaves.of(parsed)).containsExactly("lit:'a\\'b'=a'b");
    }

    @Test
    void emptyTextHasNoStatements() throws Exception {
        assertThat(parse(" -- nothing\n ; ").statements()).isEmpty();
    }

    @Test
    void unreadableTextIsRefusedAtItsOffset() {
        assertThatThrownBy(() -> parse("select 'open")).isInstanceOf(SqlSyntaxException.class)
                .extracting(e -> ((SqlSyntaxException) e).offset()).isEqualTo(7);
        assertThatThrownBy(() -> parse("select a from t whereX b")).isInstanceOf(SqlSyntaxException.class)
                .extracting(e -> ((SqlSyntaxException) e).offset()).isEqualTo(23);
    }
}
