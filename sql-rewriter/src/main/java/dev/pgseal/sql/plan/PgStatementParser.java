package dev.pgseal.sql.plan;

import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.parse.ParsedSql;
import dev.pgseal.sql.parse.PgSqlParser;
import dev.pgseal.sql.parse.SqlSyntaxException;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

/** pgseal's PostgreSQL grammar ({@link PgSqlParser}) behind the planner's parser seam. */
final class PgStatementParser implements StatementParser {

    @Override
    public ParsedStatement parse(String statement, LexSettings settings) throws ParseFailure {
        ParsedSql parsed;
        try {
            parsed = PgSqlParser.parse(statement, settings);
        } catch (SqlSyntaxException | RuntimeException e) {
            throw new ParseFailure(e.getMessage(), e);
        }
        if (parsed.statements().size() != 1) {
            throw new ParseFailure("expected one statement, found " + parsed.statements().size(), null);
        }
        SqlNode node = parsed.statements().get(0).node();
        return new ParsedStatement() {
            @Override
            public SqlNode node() {
                return node;
            }

            @Override
            public int start(SqlParserPos pos) {
                return parsed.offset(pos);
            }

            @Override
            public int end(SqlParserPos pos) {
                return parsed.endOffset(pos);
            }
        };
    }
}
