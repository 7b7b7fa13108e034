package dev.pgseal.sql.parse;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * PostgreSQL's {@code DELETE FROM t [[AS] alias] [USING …] [WHERE …] [RETURNING …]}. Everything
 * {@link SqlDelete} offers works unchanged; visitors walk SqlDelete's operands followed by
 * {@link #using()} and {@link #returning()} (either may be null).
 */
public final class PgDelete extends SqlDelete {

    private final @Nullable SqlNode using;
    private final @Nullable SqlNodeList returning;

    /** Called by the generated parser. */
    public PgDelete(SqlParserPos pos, SqlNode targetTable, @Nullable SqlNode condition,
            @Nullable SqlIdentifier alias, @Nullable SqlNode using, @Nullable SqlNodeList returning) {
        super(pos, targetTable, condition, null, alias);
        this.using = using;
        this.returning = returning;
    }

    /** The {@code USING} clause (a table reference or join tree as in a FROM), or null. */
    public @Nullable SqlNode using() {
        return using;
    }

    /** The {@code RETURNING} list, or null. */
    public @Nullable SqlNodeList returning() {
        return returning;
    }

    @Override
    public List<@Nullable SqlNode> getOperandList() {
        List<@Nullable SqlNode> list = new ArrayList<>(super.getOperandList());
        list.add(using);
        list.add(returning);
        return list;
    }
}
