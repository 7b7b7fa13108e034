package dev.pgseal.sql.parse.grammar;

import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * PostgreSQL's {@code ::} as the parser's precedence climbing sees it: a left-associative binary
 * operator that binds tighter than every operator but {@code .} and {@code []}, as in PostgreSQL.
 * It never appears in a tree: the call it creates is an ordinary {@code CAST(expr AS type)}, so
 * code that handles casts handles both spellings.
 */
final class PgCastOperator extends SqlBinaryOperator {

    static final PgCastOperator INSTANCE = new PgCastOperator();

    private PgCastOperator() {
        super("::", SqlKind.CAST, 94, true, null, null, null);
    }

    @Override
    public SqlCall createCall(@Nullable SqlLiteral functionQualifier, SqlParserPos pos,
            @Nullable SqlNode... operands) {
        return SqlStdOperatorTable.CAST.createCall(pos, operands);
    }
}
