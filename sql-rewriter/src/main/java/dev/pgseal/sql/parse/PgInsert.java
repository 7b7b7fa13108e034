package dev.pgseal.sql.parse;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * PostgreSQL's {@code INSERT … [ON CONFLICT …] [RETURNING …]}. Everything {@link SqlInsert} offers
 * works unchanged; the operand list visitors walk is SqlInsert's followed by {@link #alias()}, {@link #onConflict()}
 * and {@link #returning()} (either may be null).
 */
public final class PgInsert extends SqlInsert {

    private final @Nullable SqlIdentifier alias;
    private final @Nullable PgOnConflict onConflict;
    private final @Nullable SqlNodeList returning;

    /** Called by the generated parser. */
    public PgInsert(SqlParserPos pos, SqlIdentifier table, @Nullable SqlIdentifier alias,
            @Nullable SqlNodeList columns, SqlNode source, @Nullable PgOnConflict onConflict,
            @Nullable SqlNodeList returning) {
        super(pos, SqlNodeList.EMPTY, table, source, columns);
        this.alias = alias;
        this.onConflict = onConflict;
        this.returning = returning;
    }

    /** The alias of {@code INSERT INTO t AS alias}, or null. */
    public @Nullable SqlIdentifier alias() {
        return alias;
    }

    /** The {@code ON CONFLICT} clause, or null. */
    public @Nullable PgOnConflict onConflict() {
        return onConflict;
    }

    /** The {@code RETURNING} list ({@code *} is a star identifier), or null. */
    public @Nullable SqlNodeList returning() {
        return returning;
    }

    @Override
    public List<@Nullable SqlNode> getOperandList() {
        List<@Nullable SqlNode> list = new ArrayList<>(super.getOperandList());
        list.add(alias);
        list.add(onConflict);
        list.add(returning);
        return list;
    }
}
