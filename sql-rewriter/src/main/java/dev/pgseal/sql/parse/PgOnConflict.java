package dev.pgseal.sql.parse;

import java.util.Arrays;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code ON CONFLICT [(col, …) [WHERE …] | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET col =
 * expr, … [WHERE …]} of a {@link PgInsert}. Operands, in visiting order: conflict columns,
 * conflict-target predicate, constraint name, target columns, source expressions, condition.
 */
public final class PgOnConflict extends SqlCall {

    /** The operator of every ON CONFLICT clause. */
    public static final SqlOperator OPERATOR = new SqlSpecialOperator("ON CONFLICT", SqlKind.OTHER);

    private final @Nullable SqlNodeList conflictColumns;
    private final @Nullable SqlNode conflictWhere;
    private final @Nullable SqlIdentifier constraint;
    private final @Nullable SqlNodeList targetColumns;
    private final @Nullable SqlNodeList sourceExpressions;
    private final @Nullable SqlNode condition;

    /** Called by the generated parser; {@code targetColumns} null means DO NOTHING. */
    public PgOnConflict(SqlParserPos pos, @Nullable SqlNodeList conflictColumns, @Nullable SqlNode conflictWhere,
            @Nullable SqlIdentifier constraint, @Nullable SqlNodeList targetColumns,
            @Nullable SqlNodeList sourceExpressions, @Nullable SqlNode condition) {
        super(pos);
        this.conflictColumns = conflictColumns;
        this.conflictWhere = conflictWhere;
        this.constraint = constraint;
        this.targetColumns = targetColumns;
        this.sourceExpressions = sourceExpressions;
        this.condition = condition;
    }

    /** The conflict target's columns (or index expressions) {@code (a, b)}, or null. */
    public @Nullable SqlNodeList conflictColumns() {
        return conflictColumns;
    }

    /** The conflict target's {@code WHERE} (a partial index predicate), or null. */
    public @Nullable SqlNode conflictWhere() {
        return conflictWhere;
    }

    /** The constraint of {@code ON CONSTRAINT name}, or null. */
    public @Nullable SqlIdentifier constraint() {
        return constraint;
    }

    /** Whether the action is {@code DO NOTHING}. */
    public boolean doNothing() {
        return targetColumns == null;
    }

    /** The columns {@code DO UPDATE SET} assigns, or null for DO NOTHING. */
    public @Nullable SqlNodeList targetColumns() {
        return targetColumns;
    }

    /** The assigned expressions, one per target column ({@code DEFAULT} is a DEFAULT call), or null. */
    public @Nullable SqlNodeList sourceExpressions() {
        return sourceExpressions;
    }

    /** The {@code WHERE} of {@code DO UPDATE}, or null. */
    public @Nullable SqlNode condition() {
        return condition;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<@Nullable SqlNode> getOperandList() {
        return Arrays.asList(conflictColumns, conflictWhere, constraint, targetColumns, sourceExpressions, condition);
    }
}
