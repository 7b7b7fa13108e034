package dev.pgseal.sql.parse;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A SQL string as {@link PgSqlParser} read it: its statements' trees, plus what is needed to map
 * the trees back onto the original text (the parser saw a rewritten text of the same length, see
 * {@link PgSqlParser}).
 *
 * <p>Positions: {@link #offset} and {@link #endOffset} turn a node's {@link SqlParserPos} into
 * offsets of the original text, so a planner can splice edits into it (apply them right to left).
 * A node the parser made up without any text of its own (an implicit {@code FALSE}, {@code
 * SqlParserPos.ZERO}) has offset -1; skip such nodes.
 *
 * <p>A plain value class rather than a record, because it keeps those private lookup tables next
 * to the two public components.
 */
public final class ParsedSql {

    private final String sql;
    private final List<ParsedStatement> statements;
    private final int[] lineStarts;
    private final PreLexer.Result rewrite;

    ParsedSql(String sql, List<ParsedStatement> statements, PreLexer.Result rewrite) {
        this.sql = sql;
        this.statements = List.copyOf(statements);
        this.rewrite = rewrite;
        this.lineStarts = lineStarts(rewrite.text());
    }

    /** The original SQL text. */
    public String sql() {
        return sql;
    }

    /** The statements, in text order; empty statements ({@code ;;}) are not listed. */
    public List<ParsedStatement> statements() {
        return statements;
    }

    /** The start offset in the original text of a position, or -1 for a position with no text. */
    public int offset(SqlParserPos pos) {
        if (pos == null || pos.getLineNum() <= 0) {
            return -1;
        }
        return lineStarts[pos.getLineNum() - 1] + pos.getColumnNum() - 1;
    }

    /**
     * The end offset (exclusive) in the original text of a position, or -1 for a position with no
     * text. It covers whole tokens even where the parser saw a shorter one ({@code $12} is one
     * {@code ?} to the parser).
     */
    public int endOffset(SqlParserPos pos) {
        if (pos == null || pos.getEndLineNum() <= 0) {
            return -1;
        }
        int end = lineStarts[pos.getEndLineNum() - 1] + pos.getEndColumnNum();
        Integer original = rewrite.originalEnds().get(end);
        return original == null ? end : original;
    }

    /**
     * The n of the {@code $n} that {@code p} stands for.
     *
     * @throws IllegalArgumentException when {@code p} was not produced by this parse
     */
    public int parameterNumber(SqlDynamicParam p) {
        Integer n = rewrite.parameterNumbers().get(offset(p.getParserPosition()));
        if (n == null) {
            throw new IllegalArgumentException("not a parameter of this statement: " + p);
        }
        return n;
    }

    /**
     * The value of a string literal as PostgreSQL reads it: escapes of {@code E'…'} and
     * {@code U&'…'} applied, a dollar-quoted body verbatim, continued pieces joined, and for a bit
     * string ({@code B'…'}, {@code X'…'}) the text PostgreSQL's bit-string input receives
     * ({@code b101}, {@code x1F}). For a typed literal such as {@code DATE '2024-01-01'} it is the
     * string's value. Empty for {@code NULL} and for literals with no string (numbers, booleans).
     */
    public Optional<String> literalText(SqlLiteral l) {
        if (l.getTypeName() == SqlTypeName.NULL) {
            return Optional.empty();
        }
        if (l instanceof SqlCharStringLiteral || l.getTypeName() == SqlTypeName.BINARY) {
            int start = offset(l.getParserPosition());
            String v = rewrite.literalsByStart().get(start);
            if (v == null && start >= 0 && start < sql.length() && (sql.charAt(start) | 0x20) == 'n') {
                v = rewrite.literalsByStart().get(start + 1); // N'…'
            }
            return Optional.ofNullable(v);
        }
        // A typed literal (DATE '…', TIMESTAMP '…', …) ends with its string.
        return Optional.ofNullable(rewrite.literalsByEnd().get(endOffset(l.getParserPosition())));
    }

    /** The text Calcite parsed: same length and positions as {@link #sql()}, for diagnostics. */
    String parsedText() {
        return rewrite.text();
    }

    /** Line starts as JavaCC counts lines: {@code \n}, {@code \r\n} and a lone {@code \r} end one. */
    private static int[] lineStarts(String text) {
        int count = 1;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= n || text.charAt(i + 1) != '\n'))) {
                count++;
            }
        }
        int[] starts = new int[count];
        int k = 1;
        for (int i = 0; i < n && k < count; i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= n || text.charAt(i + 1) != '\n'))) {
                starts[k++] = i + 1;
            }
        }
        return starts;
    }

    @Override
    public String toString() {
        return "ParsedSql[" + statements.size() + " statements: " + Objects.toString(sql) + "]";
    }
}
