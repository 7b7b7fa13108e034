package dev.pgseal.sql.parse;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * PostgreSQL's {@code UPDATE t [[AS] alias] SET … [FROM …] [WHERE …] [RETURNING …]}. Everything
 * {@link SqlUpdate} offers works unchanged; visitors walk SqlUpdate's operands followed by
 * {@link #from()} and {@link #returning()} (either may be null).
 */
public final class PgUpdate extends SqlUpdate {

    private final @Nullable SqlNode from;
    private final @Nullable SqlNodeList returning;

    /** Called by the generated parser. */
    public PgUpdate(SqlParserPos pos, SqlNode targetTable, SqlNodeList targetColumns, SqlNodeList sourceExpressions,
            @Nullable SqlNode condition, @Nullable SqlIdentifier alias, @Nullable SqlNode from,
            @Nullable SqlNodeList returning) {
        super(pos, targetTable, targetColumns, sourceExpressions, condition, null, alias);
        this.from = from;
        this.returning = returning;
    }

    /** The {@code FROM} clause (a table reference or join tree as in a SELECT), or null. */
    public @Nullable SqlNode from() {
        return from;
    }

    /** The {@code RETURNING} list, or null. */
    public @Nullable SqlNodeList returning() {
        return returning;
    }

    @Override
    public List<@Nullable SqlNode> getOperandList() {
        List<@Nullable SqlNode> list = new ArrayList<>(super.getOperandList());
        list.add(from);
        list.add(returning);
        return list;
    }
}
