package dev.pgseal.sql.parse;

import dev.pgseal.sql.lex.LexSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Parses PostgreSQL SQL text into Calcite trees whose positions point into the original text.
 *
 * <p>Two stages. pgseal's own lexer ({@link dev.pgseal.sql.lex.SqlLexer}), which reads text exactly
 * as PostgreSQL does, drives a rewrite of the text into a same-length text that Calcite can read
 * ({@code $n} → {@code ?}, PostgreSQL's string forms → plain strings, names pre-folded, comments
 * blanked); Calcite then parses that. Because both texts have the same length, every parser
 * position is a position in the original; {@link ParsedSql} maps them and gives back parameter
 * numbers and decoded literal values.
 *
 * <p>The grammar is Calcite's (1.42, BABEL conformance, double-quoted identifiers) plus pgseal's
 * extensions ({@code src/main/codegen}): {@link PgInsert}, {@link PgUpdate}, {@link PgDelete},
 * {@link PgSelectLocking}, {@link PgDistinctOn}, {@code ::} and {@code INTERVAL 'text'} as CAST
 * calls.
 *
 * <p>Names: the rewritten text already holds each name as PostgreSQL looks it up (ASCII-only
 * case folding, 63-byte truncation), so Calcite is told not to fold unquoted names; an
 * unquoted {@code Émile} stays {@code Émile}, as in PostgreSQL.
 *
 * <p>Thread-safe; each thread reuses one parser (see {@link ReusableParser}).
 */
public final class PgSqlParser {

    private PgSqlParser() {
    }

    /**
     * Parses every statement of {@code sql} (a Query string or a Parse's text) as PostgreSQL would
     * read it under {@code settings}.
     *
     * @throws SqlSyntaxException when PostgreSQL's lexer would reject the text, or the text uses
     *     syntax this parser does not know; its offset points into {@code sql}
     */
    public static ParsedSql parse(String sql, LexSettings settings) throws SqlSyntaxException {
        PreLexer.Result rewrite = PreLexer.rewrite(sql, settings, true);
        List<int[]> spans = rewrite.statementSpans();
        SqlNodeList nodes;
        if (spans.isEmpty()) {
            nodes = SqlNodeList.EMPTY;
        } else {
            try {
                nodes = ReusableParser.parseStatements(rewrite.text());
            } catch (SqlParseException e) {
                throw new SqlSyntaxException(firstLine(e.getMessage()), offsetOf(rewrite.text(), e.getPos()), e);
            } catch (RuntimeException e) {
                // Calcite also throws unchecked errors for text it lexes but cannot build (bad DATE '…').
                throw new SqlSyntaxException("cannot parse: " + e.getMessage(), spans.get(0)[0], e);
            }
        }
        if (nodes.size() != spans.size()) {
            throw new SqlSyntaxException("statement boundaries differ between lexer and parser", spans.get(0)[0], null);
        }
        List<ParsedStatement> statements = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            SqlNode node = nodes.get(i);
            statements.add(new ParsedStatement(node, spans.get(i)[0], spans.get(i)[1]));
        }
        return new ParsedSql(sql, statements, rewrite);
    }

    private static String firstLine(String message) {
        int nl = message == null ? -1 : message.indexOf('\n');
        return nl < 0 ? String.valueOf(message) : message.substring(0, nl);
    }

    private static int offsetOf(String text, SqlParserPos pos) {
        if (pos == null || pos.getLineNum() <= 0) {
            return 0;
        }
        int line = 1;
        int i = 0;
        while (line < pos.getLineNum() && i < text.length()) {
            char c = text.charAt(i++);
            if (c == '\n' || (c == '\r' && (i >= text.length() || text.charAt(i) != '\n'))) {
                line++;
            }
        }
        return Math.min(text.length(), i + pos.getColumnNum() - 1);
    }
}
