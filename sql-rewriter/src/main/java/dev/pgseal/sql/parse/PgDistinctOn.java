package dev.pgseal.sql.parse;

import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code DISTINCT ON (expr, …)} of a SELECT. It sits in the select's keyword list as its
 * {@code DISTINCT} keyword, so {@code SqlSelect.isDistinct()} holds and
 * {@code select.getModifierNode(SqlSelectKeyword.DISTINCT) instanceof PgDistinctOn} finds it.
 * Being a literal, its expressions are not walked by generic visitors: code that must see every
 * column reference reads {@link #expressions()} itself. Its position spans {@code DISTINCT ON (…)}.
 */
public final class PgDistinctOn extends SqlLiteral {

    private final SqlNodeList expressions;

    /** Called by the generated parser. */
    public PgDistinctOn(SqlParserPos pos, SqlNodeList expressions) {
        super(SqlSelectKeyword.DISTINCT, SqlTypeName.SYMBOL, pos);
        this.expressions = expressions;
    }

    /** The expressions inside {@code ON (…)}. */
    public SqlNodeList expressions() {
        return expressions;
    }

    @Override
    public SqlLiteral clone(SqlParserPos pos) {
        return new PgDistinctOn(pos, expressions);
    }
}
