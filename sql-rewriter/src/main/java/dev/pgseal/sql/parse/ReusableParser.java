package dev.pgseal.sql.parse;

import dev.pgseal.sql.parse.grammar.PgParserImpl;
import java.io.StringReader;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.validate.SqlConformance;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;

/**
 * One thread's parser, reset for each text. Building a JavaCC parser of Calcite's size allocates
 * large tables and a stack-trace-carrying lookahead exception; profiling showed that to be about a
 * third of a short statement's parse time, so each thread keeps one. Configured as
 * {@code SqlParser} would configure it for: double-quoted identifiers, no case folding (the
 * pre-lexer already folded names as PostgreSQL does), case-sensitive names, BABEL conformance without its readings PostgreSQL does not share.
 */
final class ReusableParser extends PgParserImpl {

    /**
     * BABEL, minus what would make Calcite read a different statement than PostgreSQL does:
     * {@code SELECT int4 '1'} is a typed literal to PostgreSQL but a column with the alias
     * {@code '1'} under BABEL's char-literal aliases, and {@code a:b} is not a field access.
     */
    private static final SqlConformance CONFORMANCE = new SqlDelegatingConformance(SqlConformanceEnum.BABEL) {
        @Override
        public boolean allowCharLiteralAlias() {
            return false;
        }

        @Override
        public boolean isColonFieldAccessAllowed() {
            return false;
        }

        @Override
        public boolean isApplyAllowed() {
            return false;
        }
    };

    private static final ThreadLocal<ReusableParser> PER_THREAD = ThreadLocal.withInitial(ReusableParser::new);

    private ReusableParser() {
        super(new StringReader(""));
    }

    /** Parses {@code text} as a list of statements with this thread's parser. */
    static SqlNodeList parseStatements(String text) throws SqlParseException {
        ReusableParser parser = PER_THREAD.get();
        parser.reset(text);
        try {
            return parser.parseSqlStmtList();
        } catch (Throwable e) {
            throw parser.normalizeException(e);
        }
    }

    private void reset(String text) {
        ReInit(new StringReader(text));
        warnings.clear();
        setOriginalSql(text);
        setTabSize(1);
        setQuotedCasing(Casing.UNCHANGED);
        setUnquotedCasing(Casing.UNCHANGED);
        setIdentifierMaxLength(128);
        setConformance(CONFORMANCE);
        switchTo(SqlAbstractParserImpl.LexicalState.DQID);
    }
}
