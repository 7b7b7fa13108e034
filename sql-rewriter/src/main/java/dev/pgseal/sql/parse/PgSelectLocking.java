package dev.pgseal.sql.parse;

import java.util.Arrays;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * A query with a locking clause: {@code query FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF
 * t, …] [NOWAIT | SKIP LOCKED]}. It wraps the query (a {@code SqlSelect}, or a {@code SqlOrderBy}
 * when ORDER BY / LIMIT / OFFSET are present), so code that handles queries unwraps it with
 * {@link #query()}. Operands, in visiting order: the query, then the {@code OF} names (an empty
 * list when there is no {@code OF}). Only a top-level statement carries one; a locking clause in a
 * sub-query is a syntax error for pgseal.
 */
public final class PgSelectLocking extends SqlCall {

    /** The lock strength. */
    public enum Strength { UPDATE, NO_KEY_UPDATE, SHARE, KEY_SHARE }

    /** What to do with rows another transaction holds. */
    public enum WaitPolicy { WAIT, NOWAIT, SKIP_LOCKED }

    /** The operator of every locking clause. */
    public static final SqlOperator OPERATOR = new SqlSpecialOperator("FOR", SqlKind.OTHER);

    private final SqlNode query;
    private final Strength strength;
    private final SqlNodeList of;
    private final WaitPolicy waitPolicy;

    /** Called by the generated parser. */
    public PgSelectLocking(SqlParserPos pos, SqlNode query, Strength strength, SqlNodeList of, WaitPolicy waitPolicy) {
        super(pos);
        this.query = query;
        this.strength = strength;
        this.of = of;
        this.waitPolicy = waitPolicy;
    }

    /** The locked query. */
    public SqlNode query() {
        return query;
    }

    /** {@code UPDATE}, {@code NO KEY UPDATE}, {@code SHARE} or {@code KEY SHARE}. */
    public Strength strength() {
        return strength;
    }

    /** The tables (names or aliases) of {@code OF …}; empty when every table of the FROM is locked. */
    public SqlNodeList of() {
        return of;
    }

    /** {@code NOWAIT}, {@code SKIP LOCKED}, or neither. */
    public WaitPolicy waitPolicy() {
        return waitPolicy;
    }

    @Override
    public SqlOperator getOperator() {
        return OPERATOR;
    }

    @Override
    public List<SqlNode> getOperandList() {
        return Arrays.asList(query, of);
    }
}
