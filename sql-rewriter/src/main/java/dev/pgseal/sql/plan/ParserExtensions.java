package dev.pgseal.sql.plan;

import dev.pgseal.sql.parse.PgDelete;
import dev.pgseal.sql.parse.PgInsert;
import dev.pgseal.sql.parse.PgOnConflict;
import dev.pgseal.sql.parse.PgUpdate;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;

/**
 * The clauses of pgseal's PostgreSQL grammar extensions ({@code RETURNING}, {@code UPDATE ... FROM},
 * {@code DELETE ... USING}, {@code ON CONFLICT}), read from the extension nodes of
 * {@code dev.pgseal.sql.parse}, so the analyzer also works on Calcite's plain DML nodes.
 */
final class ParserExtensions {

    private ParserExtensions() {
    }

    /** The RETURNING list of an INSERT, UPDATE or DELETE, if it has one. */
    static Optional<SqlNodeList> returning(SqlCall statement) {
        if (statement instanceof PgInsert i) {
            return Optional.ofNullable(i.returning());
        }
        if (statement instanceof PgUpdate u) {
            return Optional.ofNullable(u.returning());
        }
        if (statement instanceof PgDelete d) {
            return Optional.ofNullable(d.returning());
        }
        return Optional.empty();
    }

    /** The relations of {@code UPDATE ... FROM} or {@code DELETE ... USING}. */
    static List<SqlNode> extraFrom(SqlCall statement) {
        SqlNode from = null;
        if (statement instanceof PgUpdate u) {
            from = u.from();
        } else if (statement instanceof PgDelete d) {
            from = d.using();
        }
        return from == null ? List.of() : List.of(from);
    }

    /** The ON CONFLICT clause of an INSERT, if it has one. */
    static Optional<PgOnConflict> onConflict(SqlCall statement) {
        return statement instanceof PgInsert i ? Optional.ofNullable(i.onConflict()) : Optional.empty();
    }
}
