package dev.pgseal.sql.plan;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ResultOrigin;
import dev.pgseal.sql.Splice;
import dev.pgseal.sql.TextEdit;
import dev.pgseal.sql.ValueUse;
import dev.pgseal.sql.lex.SqlToken;
import dev.pgseal.sql.parse.PgOnConflict;
import dev.pgseal.sql.parse.PgSelectLocking;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSetOperator;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Walks one parsed statement and records, in a {@link PlanBuilder}, what each protected column takes
 * part in: stored values (STORE), equality comparisons (MATCH), result columns, or a refusal. It
 * understands a closed set of shapes; every other use of a protected column is refused, so a shape
 * it does not know never reaches PostgreSQL with plaintext.
 *
 * <p>Offsets: the parser's positions are relative to the statement's text; {@code base} shifts them
 * to the whole query string, which is what edits and tokens use.
 */
final class StatementAnalyzer {

    private final PolicyIndex policy;
    private final CatalogView catalog;
    private final String sql;
    private final SourceTokens tokens;
    private final PlanBuilder out;
    private final ParsedStatement parsed;
    private final int base;
    private final int statementIndex;

    StatementAnalyzer(PolicyIndex policy, CatalogView catalog, String sql, SourceTokens tokens, PlanBuilder out,
            ParsedStatement parsed, int base, int statementIndex) {
        this.policy = policy;
        this.catalog = catalog;
        this.sql = sql;
        this.tokens = tokens;
        this.out = out;
        this.parsed = parsed;
        this.base = base;
        this.statementIndex = statementIndex;
    }

    // ---------------------------------------------------------------- model

    /**
     * A column a relation in scope offers.
     *
     * @param ref the protected column whose envelopes it carries, if any
     * @param noOrigin whether PostgreSQL's RowDescription will not name that origin (set operations, scalar subqueries)
     */
    private record Column(String name, Optional<ColumnRef> ref, boolean noOrigin) {
    }

    /** A relation in a FROM clause (or the target of INSERT/UPDATE/DELETE); {@code columns} empty when unknown. */
    private record Binding(String alias, Optional<QualifiedName> table, Optional<List<Column>> columns) {
    }

    /** Name scope of one query level; {@code ctes} are the WITH items visible from here. */
    private static final class Scope {
        final Scope parent;
        final List<Binding> bindings = new ArrayList<>();
        final Map<String, Optional<List<Column>>> ctes = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Optional<Optional<List<Column>>> cte(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Optional<List<Column>> c = s.ctes.get(name);
                if (c != null) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    /** What an expression is, as far as protected columns care. */
    private sealed interface Val {
    }

    private record Plain() implements Val {
    }

    private record Prot(ColumnRef ref, SqlNode node, boolean noOrigin) implements Val {
    }

    private record Param(int number, int start, int end) implements Val {
    }

    /** A literal, possibly cast; {@code value} empty for a cast NULL. */
    private record Lit(Optional<String> value, int start, int end) implements Val {
    }

    private record Null() implements Val {
    }

    private record Default() implements Val {
    }

    private static final Plain PLAIN = new Plain();

    // ---------------------------------------------------------------- statements

    void analyze() {
        SqlNode node = parsed.node();
        switch (node.getKind()) {
            case INSERT -> insert((SqlInsert) node);
            case UPDATE -> update((SqlUpdate) node);
            case DELETE -> delete((SqlDelete) node);
            case SELECT, ORDER_BY, WITH, UNION, INTERSECT, EXCEPT, VALUES, EXPLICIT_TABLE -> {
                Optional<List<Column>> shape = query(node, new Scope(null));
                shape.ifPresent(this::resultOrigins);
            }
            default -> {
                if (node instanceof PgSelectLocking locking) {
                    // FOR UPDATE/SHARE [OF alias]: the OF names are relations, not values.
                    query(locking.query(), new Scope(null)).ifPresent(this::resultOrigins);
                    return;
                }
                throw PlanRefusal.notSupported(node.getKind().sql + " statement refused: it mentions a "
                        + "protected table and pgseal cannot plan this kind of statement");
            }
        }
    }

    private void resultOrigins(List<Column> columns) {
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            c.ref().ifPresent(out::read);
            if (c.ref().isPresent() && c.noOrigin()) {
                out.result(new ResultOrigin(statementIndex, i, c.ref().get()));
            }
        }
    }

    private void insert(SqlInsert insert) {
        Scope scope = new Scope(null);
        Binding target = tableBinding(insert.getTargetTable(), scope);
        List<Column> targetColumns = new ArrayList<>();
        SqlNodeList listed = insert.getTargetColumnList();
        if (listed != null && !listed.isEmpty()) {
            for (SqlNode n : listed) {
                String name = simpleName(n);
                targetColumns.add(columnOf(target, name));
            }
        } else if (target.columns().isPresent()) {
            targetColumns.addAll(target.columns().get());
        } else {
            targetColumns = null;
        }
        SqlNode source = insert.getSource();
        if (source.getKind() == SqlKind.VALUES) {
            for (SqlNode row : ((SqlCall) source).getOperandList()) {
                List<SqlNode> values = row.getKind() == SqlKind.ROW ? ((SqlCall) row).getOperandList() : List.of(row);
                for (int i = 0; i < values.size(); i++) {
                    Column c = targetColumns != null && i < targetColumns.size() ? targetColumns.get(i) : null;
                    if (c != null && c.ref().isPresent()) {
                        store(c.ref().get(), values.get(i), scope, "INSERT");
                    } else if (c == null && target.columns().isEmpty()) {
                        plain(values.get(i), scope, "INSERT into a table pgseal cannot see the columns of");
                    } else {
                        plain(values.get(i), scope, "INSERT into unprotected column " + (c == null ? "?" : c.name()));
                    }
                }
            }
        } else {
            Optional<List<Column>> shape = query(source, scope);
            List<Column> targets = targetColumns;
            boolean anyProtected = targets != null && targets.stream().anyMatch(c -> c.ref().isPresent());
            if (shape.isEmpty() || targets == null) {
                if (anyProtected || shape.isEmpty() && target.table().isPresent() && isProtected(target)) {
                    throw PlanRefusal.notSupported("INSERT ... SELECT refused: pgseal cannot tell which columns feed "
                            + "the protected columns of " + describe(target));
                }
            } else {
                List<Column> from = shape.get();
                for (int i = 0; i < from.size() && i < targets.size(); i++) {
                    Optional<ColumnRef> src = from.get(i).ref();
                    Optional<ColumnRef> dst = targets.get(i).ref();
                    if (dst.isPresent() && !(src.isPresent() && sharesEnvelopes(src.get(), dst.get()))) {
                        throw PlanRefusal.notSupported("INSERT ... SELECT refused: protected column "
                                + dst.get().describe() + dst.get().column().equalityGroup()
                                .map(g -> " can only be filled from a column of its equality group " + g
                                        + " (its envelopes are bound to the group)")
                                .orElse(" can only be filled from itself (its envelopes are bound to the column)")
                                + ", not from " + src.map(r -> "protected column " + r.describe())
                                .orElse("other values"));
                    }
                    if (dst.isPresent()) {
                        requireNoWiderAccess(src.get(), dst.get(), "INSERT ... SELECT");
                    }
                    if (src.isPresent() && dst.isEmpty()) {
                        throw PlanRefusal.notSupported("INSERT ... SELECT refused: it copies protected column "
                                + src.get().describe() + " into column " + targets.get(i).name() + " of "
                                + describe(target));
                    }
                    src.ifPresent(out::touch);
                }
            }
        }
        Optional<PgOnConflict> conflict = ParserExtensions.onConflict(insert);
        if (conflict.isPresent()) {
            onConflict(conflict.get(), target, scope);
        }
        returning(insert, scope);
    }

    /**
     * {@code ON CONFLICT (cols) DO NOTHING | DO UPDATE SET ...}: the conflict target may name a
     * deterministic protected column (a unique index on its envelopes works per key version);
     * {@code SET} takes what an INSERT value takes, or {@code EXCLUDED.col} of the same column.
     */
    private void onConflict(PgOnConflict conflict, Binding target, Scope insertScope) {
        Scope scope = new Scope(null);
        scope.bindings.addAll(insertScope.bindings);
        scope.bindings.add(new Binding("excluded", target.table(), target.columns()));
        if (conflict.conflictColumns() != null) {
            for (SqlNode c : conflict.conflictColumns()) {
                Val v = value(c, insertScope);
                if (v instanceof Prot p) {
                    requireDeterministic(p.ref(), "ON CONFLICT");
                    out.touch(p.ref());
                } else if (v instanceof Param p) {
                    out.plainParameter(p.number());
                }
            }
        }
        predicate(conflict.conflictWhere(), insertScope);
        if (conflict.targetColumns() != null) {
            SqlNodeList columns = conflict.targetColumns();
            SqlNodeList values = conflict.sourceExpressions();
            for (int i = 0; i < columns.size(); i++) {
                Column c = columnOf(target, simpleName(columns.get(i)));
                if (c.ref().isPresent()) {
                    store(c.ref().get(), values.get(i), scope, "ON CONFLICT DO UPDATE SET");
                } else {
                    plain(values.get(i), scope, "ON CONFLICT DO UPDATE SET of unprotected column " + c.name());
                }
            }
        }
        predicate(conflict.condition(), scope);
    }

    private void update(SqlUpdate update) {
        Scope scope = new Scope(null);
        Binding target = tableBinding(update.getTargetTable(), scope);
        if (update.getAlias() != null) {
            scope.bindings.set(scope.bindings.size() - 1,
                    new Binding(update.getAlias().getSimple(), target.table(), target.columns()));
        }
        extraFrom(update, scope);
        SqlNodeList columns = update.getTargetColumnList();
        SqlNodeList values = update.getSourceExpressionList();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columnOf(target, simpleName(columns.get(i)));
            if (c.ref().isPresent()) {
                store(c.ref().get(), values.get(i), scope, "UPDATE ... SET");
            } else {
                plain(values.get(i), scope, "UPDATE ... SET of unprotected column " + c.name());
            }
        }
        predicate(update.getCondition(), scope);
        returning(update, scope);
    }

    private void delete(SqlDelete delete) {
        Scope scope = new Scope(null);
        Binding target = tableBinding(delete.getTargetTable(), scope);
        if (delete.getAlias() != null) {
            scope.bindings.set(scope.bindings.size() - 1,
                    new Binding(delete.getAlias().getSimple(), target.table(), target.columns()));
        }
        extraFrom(delete, scope);
        predicate(delete.getCondition(), scope);
        returning(delete, scope);
    }

    /** {@code UPDATE ... FROM} and {@code DELETE ... USING}, once the grammar delivers them. */
    private void extraFrom(SqlCall statement, Scope scope) {
        // The stock grammar has neither clause; ParserExtensions reads them from the extension nodes.
        for (SqlNode from : ParserExtensions.extraFrom(statement)) {
            from(from, scope, scope.parent);
        }
    }

    /** RETURNING: a select list over the target; results are decrypted by origin (RowDescription names them). */
    private void returning(SqlCall statement, Scope scope) {
        Optional<SqlNodeList> list = ParserExtensions.returning(statement);
        if (list.isPresent()) {
            selectList(list.get(), scope, "RETURNING")
                    .ifPresent(cols -> cols.forEach(c -> c.ref().ifPresent(out::read)));
        }
    }

    /** A value written into protected column {@code target}. */
    private void store(ColumnRef target, SqlNode value, Scope scope, String construct) {
        out.touch(target);
        Val v = value(value, scope);
        if (v instanceof Param p) {
            out.parameter(p.number(), target, ValueUse.STORE);
        } else if (v instanceof Lit l) {
            out.edit(new TextEdit(l.start(), l.end(),
                    List.of(new Splice.Encrypted(target, ValueUse.STORE, l.value()))));
        } else if (v instanceof Prot p) {
            if (!sharesEnvelopes(p.ref(), target)) {
                throw PlanRefusal.notSupported(construct + " refused: it copies protected column "
                        + p.ref().describe() + " into protected column " + target.describe()
                        + " (envelopes are bound to their column" + (p.ref().column().equalityGroup().isPresent()
                        || target.column().equalityGroup().isPresent() ? " or equality group" : "") + ")");
            }
            requireNoWiderAccess(p.ref(), target, construct);
            out.touch(p.ref());
        } else if (v instanceof Plain) {
            throw PlanRefusal.notSupported(construct + " refused: protected column "
                    + target.describe() + " can only take a parameter, a literal, NULL or DEFAULT, not an expression");
        }
    }

    // ---------------------------------------------------------------- queries

    /** The result columns of query {@code node}, or empty when pgseal cannot tell them. */
    private Optional<List<Column>> query(SqlNode node, Scope outer) {
        switch (node.getKind()) {
            case SELECT:
                return select((SqlSelect) node, outer, null);
            case ORDER_BY: {
                SqlOrderBy ob = (SqlOrderBy) node;
                Optional<List<Column>> shape;
                if (ob.query.getKind() == SqlKind.SELECT) {
                    shape = select((SqlSelect) ob.query, outer, ob.orderList);
                } else {
                    shape = query(ob.query, outer);
                    Scope s = new Scope(outer);
                    s.bindings.add(new Binding("", Optional.empty(), shape));
                    orderBy(ob.orderList, shape, s);
                }
                plain(ob.offset, outer, "OFFSET");
                plain(ob.fetch, outer, "LIMIT");
                return shape;
            }
            case WITH: {
                SqlWith with = (SqlWith) node;
                Scope s = new Scope(outer);
                for (SqlNode item : with.withList) {
                    SqlWithItem w = (SqlWithItem) item;
                    Optional<List<Column>> shape = query(w.query, s);
                    s.ctes.put(w.name.getSimple(), renamed(shape, w.columnList));
                }
                return query(with.body, s);
            }
            case UNION, INTERSECT, EXCEPT:
                return setOperation((SqlCall) node, outer);
            case VALUES: {
                int width = -1;
                for (SqlNode row : ((SqlCall) node).getOperandList()) {
                    List<SqlNode> values = row.getKind() == SqlKind.ROW ? ((SqlCall) row).getOperandList() : List.of(row);
                    width = values.size();
                    for (SqlNode v : values) {
                        plain(v, outer, "VALUES");
                    }
                }
                List<Column> cols = new ArrayList<>();
                for (int i = 0; i < width; i++) {
                    cols.add(new Column("column" + (i + 1), Optional.empty(), false));
                }
                return Optional.of(cols);
            }
            case EXPLICIT_TABLE: {
                Scope s = new Scope(outer);
                Binding b = tableBinding(((SqlCall) node).operand(0), s);
                b.columns().ifPresent(cols -> cols.forEach(c -> c.ref().ifPresent(out::touch)));
                return b.columns();
            }
            default:
                throw PlanRefusal.notSupported("statement refused: it mentions a protected table and uses a query form "
                        + "pgseal cannot plan (" + node.getKind().sql + ")");
        }
    }

    private Optional<List<Column>> setOperation(SqlCall call, Scope outer) {
        Optional<List<Column>> left = query(call.operand(0), outer);
        Optional<List<Column>> right = query(call.operand(1), outer);
        boolean all = call.getOperator() instanceof SqlSetOperator op && op.isAll();
        String name = call.getOperator().getName();
        Optional<ColumnRef> anyProtected = firstRef(left).or(() -> firstRef(right));
        if (anyProtected.isPresent() && (!all || call.getKind() != SqlKind.UNION)) {
            throw PlanRefusal.notSupported(name + " on protected column " + anyProtected.get().describe()
                    + " is not supported: it compares encrypted values");
        }
        if (left.isEmpty() || right.isEmpty() || left.get().size() != right.get().size()) {
            if (anyProtected.isPresent()) {
                throw PlanRefusal.notSupported(name + " refused: pgseal cannot line up the result columns of its "
                        + "branches, and one carries protected column " + anyProtected.get().describe());
            }
            return Optional.empty();
        }
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < left.get().size(); i++) {
            Column l = left.get().get(i);
            Column r = right.get().get(i);
            if (!l.ref().equals(r.ref())) {
                ColumnRef p = l.ref().or(r::ref).get();
                throw PlanRefusal.notSupported(name + " refused: result column " + (i + 1) + " holds protected column "
                        + p.describe() + " in one branch and other values in another");
            }
            cols.add(new Column(l.name(), l.ref(), l.ref().isPresent()));
        }
        return Optional.of(cols);
    }

    private static Optional<ColumnRef> firstRef(Optional<List<Column>> shape) {
        return shape.flatMap(cols -> cols.stream().flatMap(c -> c.ref().stream()).findFirst());
    }

    private static Optional<List<Column>> renamed(Optional<List<Column>> shape, SqlNodeList names) {
        if (names == null || names.isEmpty() || shape.isEmpty()) {
            return shape;
        }
        List<Column> cols = new ArrayList<>(shape.get());
        for (int i = 0; i < names.size() && i < cols.size(); i++) {
            Column c = cols.get(i);
            cols.set(i, new Column(((SqlIdentifier) names.get(i)).getSimple(), c.ref(), c.noOrigin()));
        }
        return Optional.of(cols);
    }

    private Optional<List<Column>> select(SqlSelect select, Scope outer, SqlNodeList orderList) {
        Scope scope = new Scope(outer);
        if (select.getFrom() != null) {
            from(select.getFrom(), scope, outer);
        }
        predicate(select.getWhere(), scope);
        Optional<List<Column>> shape = selectList(select.getSelectList(), scope, "SELECT");
        if (select.getGroup() != null) {
            for (SqlNode g : select.getGroup()) {
                Optional<ColumnRef> p = ordinalOrAlias(g, shape);
                if (p.isEmpty() && value(g, scope) instanceof Prot pr) {
                    p = Optional.of(pr.ref());
                }
                if (p.isPresent()) {
                    throw refusedOn("GROUP BY", p.get());
                }
            }
        }
        predicate(select.getHaving(), scope);
        if (select.isDistinct()) {
            Optional<ColumnRef> p = firstRef(shape);
            if (p.isPresent()) {
                throw refusedOn("DISTINCT", p.get());
            }
        }
        if (select.getWindowList() != null) {
            for (SqlNode w : select.getWindowList()) {
                plain(w, scope, "WINDOW");
            }
        }
        orderBy(select.getOrderList(), shape, scope);
        orderBy(orderList, shape, scope);
        plain(select.getOffset(), scope, "OFFSET");
        plain(select.getFetch(), scope, "LIMIT");
        return shape;
    }

    private Optional<List<Column>> selectList(SqlNodeList items, Scope scope, String construct) {
        List<Column> cols = new ArrayList<>();
        boolean known = true;
        for (SqlNode item : items) {
            SqlNode expr = item;
            String alias = null;
            if (item.getKind() == SqlKind.AS) {
                expr = ((SqlCall) item).operand(0);
                alias = ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple();
            }
            if (expr instanceof SqlIdentifier id && id.isStar()) {
                known &= star(id, scope, cols);
                continue;
            }
            Val v = value(expr, scope);
            String name = alias != null ? alias
                    : expr instanceof SqlIdentifier id ? id.names.get(id.names.size() - 1) : "?column?";
            if (v instanceof Prot p) {
                out.touch(p.ref());
                cols.add(new Column(name, Optional.of(p.ref()), p.noOrigin()));
            } else {
                if (v instanceof Param p) {
                    out.plainParameter(p.number());
                }
                cols.add(new Column(name, Optional.empty(), false));
            }
        }
        return known ? Optional.of(cols) : Optional.empty();
    }

    /** Expands {@code *} or {@code t.*} into {@code cols}; false when a relation's columns are unknown. */
    private boolean star(SqlIdentifier id, Scope scope, List<Column> cols) {
        List<Binding> expanded = new ArrayList<>();
        if (id.names.size() == 1) {
            expanded.addAll(scope.bindings);
        } else {
            Binding b = bindingFor(id.names.subList(0, id.names.size() - 1), scope);
            if (b == null) {
                throw PlanRefusal.notSupported("statement refused: pgseal cannot tell which relation " + id
                        + " expands");
            }
            expanded.add(b);
        }
        boolean known = true;
        for (Binding b : expanded) {
            if (b.columns().isEmpty()) {
                known = false;
                continue;
            }
            for (Column c : b.columns().get()) {
                c.ref().ifPresent(out::touch);
                cols.add(c);
            }
        }
        return known;
    }

    private void orderBy(SqlNodeList list, Optional<List<Column>> shape, Scope scope) {
        if (list == null) {
            return;
        }
        for (SqlNode item : list) {
            SqlNode e = item;
            while (e.getKind() == SqlKind.DESCENDING || e.getKind() == SqlKind.NULLS_FIRST
                    || e.getKind() == SqlKind.NULLS_LAST) {
                e = ((SqlCall) e).operand(0);
            }
            Optional<ColumnRef> p = ordinalOrAlias(e, shape);
            if (p.isEmpty() && value(e, scope) instanceof Prot pr) {
                p = Optional.of(pr.ref());
            }
            if (p.isPresent()) {
                throw refusedOn("ORDER BY", p.get());
            }
        }
    }

    /** The protected column an ORDER BY / GROUP BY item names by position or output name, if any. */
    private static Optional<ColumnRef> ordinalOrAlias(SqlNode e, Optional<List<Column>> shape) {
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        List<Column> cols = shape.get();
        if (e instanceof SqlLiteral lit && lit.getValue() instanceof java.math.BigDecimal n) {
            int i = n.intValue() - 1;
            return i >= 0 && i < cols.size() ? cols.get(i).ref() : Optional.empty();
        }
        if (e instanceof SqlIdentifier id && id.isSimple()) {
            for (Column c : cols) {
                if (c.name().equals(id.getSimple()) && c.ref().isPresent()) {
                    return c.ref();
                }
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- FROM

    /** Adds the relations of {@code node} to {@code scope}; {@code outer} is what non-lateral subqueries see. */
    private void from(SqlNode node, Scope scope, Scope outer) {
        switch (node.getKind()) {
            case IDENTIFIER -> tableBinding(node, scope);
            case AS -> {
                SqlCall as = (SqlCall) node;
                SqlNode rel = as.operand(0);
                String alias = ((SqlIdentifier) as.operand(1)).getSimple();
                Binding b;
                if (rel.getKind() == SqlKind.IDENTIFIER) {
                    b = tableBinding(rel, scope);
                    scope.bindings.remove(scope.bindings.size() - 1);
                } else {
                    b = derived(rel, scope, outer);
                }
                SqlNodeList names = as.operandCount() > 2
                        ? new SqlNodeList(as.getOperandList().subList(2, as.operandCount()), SqlParserPos.ZERO) : null;
                scope.bindings.add(new Binding(alias, b.table(), renamed(b.columns(), names)));
            }
            case JOIN -> {
                SqlJoin join = (SqlJoin) node;
                int before = scope.bindings.size();
                from(join.getLeft(), scope, outer);
                int middle = scope.bindings.size();
                from(join.getRight(), scope, outer);
                if (join.isNatural()) {
                    for (Binding b : scope.bindings.subList(before, scope.bindings.size())) {
                        if (isProtected(b)) {
                            throw PlanRefusal.notSupported("NATURAL JOIN with protected table " + describe(b)
                                    + " refused: pgseal cannot tell which columns it compares");
                        }
                    }
                }
                if (join.getConditionType() == JoinConditionType.USING) {
                    using((SqlNodeList) join.getCondition(), scope.bindings.subList(before, middle),
                            scope.bindings.subList(middle, scope.bindings.size()));
                } else if (join.getConditionType() == JoinConditionType.ON) {
                    predicate(join.getCondition(), scope);
                }
            }
            case LATERAL -> scope.bindings.add(derived(((SqlCall) node).operand(0), scope, scope));
            default -> scope.bindings.add(derived(node, scope, outer));
        }
    }

    /** A subquery, VALUES list or table function in FROM; {@code sees} is the scope its names resolve in. */
    private Binding derived(SqlNode rel, Scope scope, Scope sees) {
        return switch (rel.getKind()) {
            case SELECT, ORDER_BY, WITH, UNION, INTERSECT, EXCEPT, VALUES ->
                    new Binding("", Optional.empty(), query(rel, sees));
            case LATERAL -> derived(((SqlCall) rel).operand(0), scope, scope);
            default -> {
                plain(rel, sees, "table function");
                yield new Binding("", Optional.empty(), Optional.empty());
            }
        };
    }

    private void using(SqlNodeList names, List<Binding> left, List<Binding> right) {
        for (SqlNode n : names) {
            String name = ((SqlIdentifier) n).getSimple();
            Optional<ColumnRef> l = findIn(left, name);
            Optional<ColumnRef> r = findIn(right, name);
            if (l.isPresent() || r.isPresent()) {
                equalityOfColumns(l, r, "JOIN ... USING");
            }
        }
    }

    private static Optional<ColumnRef> findIn(List<Binding> bindings, String name) {
        for (Binding b : bindings) {
            if (b.columns().isPresent()) {
                for (Column c : b.columns().get()) {
                    if (c.name().equals(name) && c.ref().isPresent()) {
                        return c.ref();
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Binds a table name (or a CTE) and adds it to {@code scope}. */
    private Binding tableBinding(SqlNode node, Scope scope) {
        if (node.getKind() == SqlKind.AS) {
            SqlCall as = (SqlCall) node;
            Binding b = tableBinding(as.operand(0), scope);
            Binding aliased = new Binding(((SqlIdentifier) as.operand(1)).getSimple(), b.table(), b.columns());
            scope.bindings.set(scope.bindings.size() - 1, aliased);
            return aliased;
        }
        if (!(node instanceof SqlIdentifier id)) {
            throw PlanRefusal.notSupported("statement refused: pgseal cannot tell which table it targets");
        }
        List<String> names = id.names;
        String name = names.get(names.size() - 1);
        Binding b;
        if (names.size() == 1) {
            Optional<Optional<List<Column>>> cte = scope.cte(name);
            if (cte.isPresent()) {
                b = new Binding(name, Optional.empty(), cte.get());
            } else {
                b = unqualified(name);
            }
        } else {
            QualifiedName q = new QualifiedName(names.get(names.size() - 2), name);
            b = new Binding(name, Optional.of(q), tableColumns(q));
        }
        scope.bindings.add(b);
        return b;
    }

    private Binding unqualified(String name) {
        List<TablePolicy> candidates = policy.named(name);
        Set<String> holders = catalog.schemasHolding(name);
        if (candidates.isEmpty()) {
            if (holders.size() == 1) {
                QualifiedName q = new QualifiedName(holders.iterator().next(), name);
                return new Binding(name, Optional.of(q), catalog.columns(q).map(StatementAnalyzer::plainColumns));
            }
            return new Binding(name, Optional.empty(), Optional.empty());
        }
        List<TablePolicy> present = candidates.stream().filter(t -> holders.contains(t.name().schema())).toList();
        if (present.isEmpty()) {
            // No protected table of that name exists in this database: the name means something else.
            return new Binding(name, Optional.empty(), Optional.empty());
        }
        if (holders.size() > 1) {
            throw PlanRefusal.notSupported("statement refused: pgseal cannot tell which relation " + name
                    + " means (schemas " + String.join(", ", new TreeSet<>(holders)) + " each hold one, and "
                    + present.get(0).name().toSql() + " is protected); qualify it with its schema");
        }
        QualifiedName q = present.get(0).name();
        return new Binding(name, Optional.of(q), tableColumns(q));
    }

    /** A real table's columns, protected ones carrying their policy. */
    private Optional<List<Column>> tableColumns(QualifiedName q) {
        Optional<TablePolicy> tp = policy.policy().table(q);
        Optional<List<String>> names = catalog.columns(q);
        if (tp.isEmpty()) {
            return names.map(StatementAnalyzer::plainColumns);
        }
        if (names.isEmpty()) {
            throw PlanRefusal.notSupported("statement refused: the catalog does not describe protected table "
                    + q.toSql() + "; pgseal cannot plan statements on it");
        }
        List<Column> cols = new ArrayList<>(names.get().size());
        for (String n : names.get()) {
            Optional<ColumnPolicy> cp = tp.get().column(n);
            cols.add(new Column(n, cp.map(c -> new ColumnRef(q, c)), false));
        }
        return Optional.of(List.copyOf(cols));
    }

    private static List<Column> plainColumns(List<String> names) {
        return names.stream().map(n -> new Column(n, Optional.<ColumnRef>empty(), false)).toList();
    }

    private Column columnOf(Binding target, String name) {
        if (target.columns().isPresent()) {
            for (Column c : target.columns().get()) {
                if (c.name().equals(name)) {
                    return c;
                }
            }
        }
        return new Column(name, Optional.empty(), false);
    }

    private boolean isProtected(Binding b) {
        return b.columns().map(cols -> cols.stream().anyMatch(c -> c.ref().isPresent())).orElse(false);
    }

    private static String describe(Binding b) {
        return b.table().map(QualifiedName::toSql).orElse(b.alias());
    }

    // ---------------------------------------------------------------- names

    private Binding bindingFor(List<String> qualifier, Scope scope) {
        for (Scope s = scope; s != null; s = s.parent) {
            for (int i = s.bindings.size() - 1; i >= 0; i--) {
                Binding b = s.bindings.get(i);
                if (qualifier.size() == 1 && b.alias().equals(qualifier.get(0))) {
                    return b;
                }
                if (qualifier.size() >= 2 && b.table().isPresent()
                        && b.alias().equals(b.table().get().name())
                        && b.table().get().name().equals(qualifier.get(qualifier.size() - 1))
                        && b.table().get().schema().equals(qualifier.get(qualifier.size() - 2))) {
                    return b;
                }
            }
        }
        return null;
    }

    /** The protected column {@code id} denotes, or empty for anything else. */
    private Optional<ColumnRef> resolve(SqlIdentifier id, Scope scope) {
        List<String> names = id.names;
        String col = names.get(names.size() - 1);
        if (names.size() > 1) {
            Binding b = bindingFor(names.subList(0, names.size() - 1), scope);
            if (b == null) {
                return Optional.empty();
            }
            return columnOf(b, col).ref();
        }
        for (Scope s = scope; s != null; s = s.parent) {
            List<Column> matches = new ArrayList<>();
            boolean unknown = false;
            for (Binding b : s.bindings) {
                if (b.columns().isEmpty()) {
                    unknown = true;
                    continue;
                }
                for (Column c : b.columns().get()) {
                    if (c.name().equals(col)) {
                        matches.add(c);
                    }
                }
            }
            boolean protectedMatch = matches.stream().anyMatch(c -> c.ref().isPresent());
            if (matches.size() == 1 && !unknown) {
                return matches.get(0).ref();
            }
            if (!matches.isEmpty()) {
                if (protectedMatch) {
                    throw PlanRefusal.notSupported("statement refused: column reference " + col + " may mean protected "
                            + "column " + matches.stream().flatMap(c -> c.ref().stream()).findFirst().get().describe()
                            + " or another relation's column; qualify it");
                }
                return Optional.empty();
            }
            if (unknown) {
                Optional<ColumnRef> outerProtected = protectedNamed(col, s.parent);
                if (outerProtected.isPresent()) {
                    throw PlanRefusal.notSupported("statement refused: column reference " + col + " may mean protected "
                            + "column " + outerProtected.get().describe() + " or a column of a relation whose columns "
                            + "pgseal cannot see; qualify it");
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<ColumnRef> protectedNamed(String col, Scope scope) {
        for (Scope s = scope; s != null; s = s.parent) {
            Optional<ColumnRef> r = findIn(s.bindings, col);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- expressions

    /** Analyzes {@code node} where no protected column may appear (operands of functions and operators). */
    private void plain(SqlNode node, Scope scope, String construct) {
        if (node == null) {
            return;
        }
        Val v = value(node, scope);
        if (v instanceof Prot p) {
            throw refusedOn(construct, p.ref());
        }
        if (v instanceof Param p) {
            out.plainParameter(p.number());
        }
    }

    /** A WHERE, ON or HAVING condition. */
    private void predicate(SqlNode node, Scope scope) {
        plain(node, scope, "a predicate");
    }

    private Val value(SqlNode node, Scope scope) {
        if (node == null) {
            return PLAIN;
        }
        if (node instanceof SqlIdentifier id) {
            if (id.isStar()) {
                return PLAIN;
            }
            Optional<ColumnRef> r = resolve(id, scope);
            return r.<Val>map(ref -> new Prot(ref, id, false)).orElse(PLAIN);
        }
        if (node instanceof SqlDynamicParam) {
            SqlToken t = parameterToken(span(node));
            return new Param(Integer.parseInt(t.text().substring(1)), t.start(), t.end());
        }
        if (node instanceof SqlLiteral lit) {
            if (lit.getTypeName() == org.apache.calcite.sql.type.SqlTypeName.NULL) {
                return new Null();
            }
            return literal(node);
        }
        if (node instanceof SqlNodeList list) {
            for (SqlNode n : list) {
                plain(n, scope, "a list");
            }
            return PLAIN;
        }
        if (!(node instanceof SqlCall call)) {
            return PLAIN;
        }
        if (call.getOperator().getName().equalsIgnoreCase("count")) {
            return count(call, scope);
        }
        switch (call.getKind()) {
            case SELECT, ORDER_BY, WITH, UNION, INTERSECT, EXCEPT -> {
                Optional<List<Column>> shape = query(node, scope);
                if (shape.isPresent() && shape.get().size() == 1 && shape.get().get(0).ref().isPresent()) {
                    return new Prot(shape.get().get(0).ref().get(), node, true);
                }
                return PLAIN;
            }
            case CAST -> {
                Val inner = value(call.operand(0), scope);
                int[] span = span(node);
                if (inner instanceof Lit l) {
                    return new Lit(l.value(), span[0], span[1]);
                }
                if (inner instanceof Null) {
                    return new Lit(Optional.empty(), span[0], span[1]);
                }
                if (inner instanceof Prot p) {
                    throw refusedOn("a cast", p.ref());
                }
                if (inner instanceof Param p) {
                    out.plainParameter(p.number());
                }
                return PLAIN;
            }
            case MINUS_PREFIX -> {
                if (call.operand(0) instanceof SqlLiteral) {
                    return literal(node);
                }
                plain(call.operand(0), scope, "arithmetic (-)");
                return PLAIN;
            }
            case DEFAULT -> {
                return new Default();
            }
            case EQUALS, NOT_EQUALS -> {
                comparison(call, scope);
                return PLAIN;
            }
            case IN, NOT_IN -> {
                in(call, scope);
                return PLAIN;
            }
            case IS_NULL, IS_NOT_NULL -> {
                Val v = value(call.operand(0), scope);
                if (v instanceof Prot p) {
                    out.touch(p.ref());
                } else if (v instanceof Param p) {
                    out.plainParameter(p.number());
                }
                return PLAIN;
            }
            case SOME, ALL -> {
                for (SqlNode operand : call.getOperandList()) {
                    Val v = value(operand, scope);
                    if (v instanceof Prot p) {
                        throw PlanRefusal.notSupported(call.getOperator().getName() + " (...) on protected column "
                                + p.ref().describe() + " is not supported yet: pgseal does not encrypt the elements of "
                                + "an array the client sends; use IN ($1, $2, ...) instead");
                    }
                    if (v instanceof Param p) {
                        out.plainParameter(p.number());
                    }
                }
                return PLAIN;
            }
            case EXISTS -> {
                query(call.operand(0), scope);
                return PLAIN;
            }
            case AS -> {
                plain(call.operand(0), scope, "AS");
                return PLAIN;
            }
            default -> {
                return genericPlain(call, scope);
            }
        }
    }

    /** Any operator or function: none of its operands may be a protected column. */
    private Val genericPlain(SqlCall call, Scope scope) {
        String construct = construct(call);
        for (SqlNode operand : call.getOperandList()) {
            plain(operand, scope, construct);
        }
        return PLAIN;
    }

    /** {@code count(col)} and {@code count(*)} count rows and non-null values: no value is compared. */
    private Val count(SqlCall call, Scope scope) {
        boolean distinct = call.getFunctionQuantifier() != null;
        for (SqlNode operand : call.getOperandList()) {
            Val v = value(operand, scope);
            if (v instanceof Prot p) {
                if (distinct) {
                    throw refusedOn("count(DISTINCT ...)", p.ref());
                }
                out.touch(p.ref());
            } else if (v instanceof Param p) {
                out.plainParameter(p.number());
            }
        }
        return PLAIN;
    }

    private static String construct(SqlCall call) {
        switch (call.getKind()) {
            case POSIX_REGEX_CASE_SENSITIVE, POSIX_REGEX_CASE_INSENSITIVE -> {
                return "regular expression match";
            }
            case BETWEEN -> {
                return "BETWEEN";
            }
            default -> {
            }
        }
        String name = call.getOperator().getName();
        if (name.isEmpty()) {
            name = call.getKind().sql;
        }
        boolean function = call.getOperator() instanceof org.apache.calcite.sql.SqlFunction;
        return function ? "function " + name.toLowerCase(Locale.ROOT) + "()" : "operator " + name;
    }

    /** {@code a = b} or {@code a <> b}. */
    private void comparison(SqlCall call, Scope scope) {
        SqlNode leftNode = call.operand(0);
        SqlNode rightNode = call.operand(1);
        Val left = value(leftNode, scope);
        Val right = value(rightNode, scope);
        String op = call.getKind() == SqlKind.EQUALS ? "=" : "<>";
        if (left instanceof Prot l && right instanceof Prot r) {
            equalityOfColumns(Optional.of(l.ref()), Optional.of(r.ref()), op);
            return;
        }
        if (!(left instanceof Prot) && !(right instanceof Prot)) {
            for (Val v : List.of(left, right)) {
                if (v instanceof Param p) {
                    out.plainParameter(p.number());
                }
            }
            return;
        }
        boolean protectedLeft = left instanceof Prot;
        Prot p = (Prot) (protectedLeft ? left : right);
        Val other = protectedLeft ? right : left;
        requireDeterministic(p.ref(), op);
        out.touch(p.ref());
        if (other instanceof Null) {
            return;
        }
        if (!(other instanceof Param) && !(other instanceof Lit)) {
            throw PlanRefusal.notSupported(op + " refused: protected column " + p.ref().describe()
                    + " can only be compared with a parameter, a literal or a column of its key ring");
        }
        if (p.noOrigin() || !(p.node() instanceof SqlIdentifier)) {
            throw PlanRefusal.notSupported(op + " refused: pgseal compares protected column " + p.ref().describe()
                    + " with a value only when the column is named directly");
        }
        int[] col = span(p.node());
        int[] val = protectedLeft ? new int[] {start(other), end(other)} : new int[] {start(other), end(other)};
        String quantified = call.getKind() == SqlKind.EQUALS ? "= ANY(" : "<> ALL(";
        Splice operand = operand(other, p.ref());
        if (protectedLeft) {
            SqlToken operator = onlyTokenBetween(col[1], val[0], op, p.ref());
            out.edit(new TextEdit(operator.start(), val[1],
                    List.of(new Splice.Text(quantified), operand, new Splice.Text(")"))));
        } else {
            onlyTokenBetween(val[1], col[0], op, p.ref());
            out.edit(new TextEdit(val[0], col[1], List.of(
                    new Splice.Text(sql.substring(col[0], col[1]) + " " + quantified), operand, new Splice.Text(")"))));
        }
    }

    /** The value as the edit puts it: the {@code $n} text (recorded as MATCH) or an encrypted literal. */
    private Splice operand(Val v, ColumnRef target) {
        if (v instanceof Param p) {
            out.parameter(p.number(), target, ValueUse.MATCH);
            return new Splice.Parameter(p.number());
        }
        Lit l = (Lit) v;
        return new Splice.Encrypted(target, ValueUse.MATCH, l.value());
    }

    private static int start(Val v) {
        return v instanceof Param p ? p.start() : ((Lit) v).start();
    }

    private static int end(Val v) {
        return v instanceof Param p ? p.end() : ((Lit) v).end();
    }

    /** The single operator token between two operands; anything else (parentheses) is not rewritten. */
    private SqlToken onlyTokenBetween(int from, int to, String op, ColumnRef ref) {
        List<SqlToken> between = tokens.within(from, to);
        if (between.size() != 1 || between.get(0).kind() != SqlToken.Kind.SYMBOL) {
            throw PlanRefusal.notSupported(op + " refused: pgseal rewrites a comparison with protected column "
                    + ref.describe() + " only when neither side is in parentheses");
        }
        return between.get(0);
    }

    /** {@code a IN (...)} and {@code a NOT IN (...)}. */
    private void in(SqlCall call, Scope scope) {
        boolean negated = call.getKind() == SqlKind.NOT_IN;
        String op = negated ? "NOT IN" : "IN";
        Val left = value(call.operand(0), scope);
        SqlNode list = call.operand(1);
        if (!(list instanceof SqlNodeList elements)) {
            Optional<List<Column>> shape = query(list, scope);
            Optional<ColumnRef> inner = shape.filter(s -> s.size() == 1).flatMap(s -> s.get(0).ref());
            if (left instanceof Prot p) {
                if (inner.isEmpty()) {
                    throw PlanRefusal.notSupported(op + " (subquery) refused: protected column " + p.ref().describe()
                            + " can only be compared with a column of its key ring");
                }
                equalityOfColumns(Optional.of(p.ref()), inner, op);
            } else if (firstRef(shape).isPresent()) {
                throw refusedOn(op + " (subquery)", firstRef(shape).get());
            } else if (left instanceof Param p) {
                out.plainParameter(p.number());
            }
            return;
        }
        if (!(left instanceof Prot p)) {
            if (left instanceof Param lp) {
                out.plainParameter(lp.number());
            }
            for (SqlNode e : elements) {
                plain(e, scope, op);
            }
            return;
        }
        requireDeterministic(p.ref(), op);
        out.touch(p.ref());
        if (!(p.node() instanceof SqlIdentifier) || p.noOrigin()) {
            throw PlanRefusal.notSupported(op + " refused: pgseal compares protected column " + p.ref().describe()
                    + " with values only when the column is named directly");
        }
        int colEnd = span(p.node())[1];
        List<Val> values = new ArrayList<>();
        for (SqlNode e : elements) {
            Val v = value(e, scope);
            if (!(v instanceof Param) && !(v instanceof Lit)) {
                throw PlanRefusal.notSupported(op + " refused: the list compared with protected column "
                        + p.ref().describe() + " may hold only parameters and literals (not NULL or expressions)");
            }
            values.add(v);
        }
        // Expected tokens: [NOT] IN ( v1 , v2 ... )
        int afterColumn = tokens.indexAtOrAfter(colEnd);
        int k = afterColumn;
        if (negated) {
            expectWord(k++, "not", op, p.ref());
        }
        expectWord(k++, "in", op, p.ref());
        expectSymbol(k, "(", op, p.ref());
        int expectedStart = tokens.get(k).end();
        List<Splice> pieces = new ArrayList<>();
        pieces.add(new Splice.Text(negated ? "<> ALL(" : "= ANY("));
        for (int i = 0; i < values.size(); i++) {
            Val v = values.get(i);
            List<SqlToken> gap = tokens.within(expectedStart, start(v));
            boolean ok = i == 0 ? gap.isEmpty() : gap.size() == 1 && gap.get(0).isSymbol(",");
            if (!ok) {
                throw PlanRefusal.notSupported(op + " refused: pgseal rewrites a list compared with protected column "
                        + p.ref().describe() + " only when its elements are not in parentheses");
            }
            if (i > 0) {
                pieces.add(new Splice.Text(" || "));
            }
            pieces.add(operand(v, p.ref()));
            expectedStart = end(v);
        }
        int close = tokens.indexAtOrAfter(expectedStart);
        expectSymbol(close, ")", op, p.ref());
        pieces.add(new Splice.Text(")"));
        out.edit(new TextEdit(tokens.get(afterColumn).start(), tokens.get(close).end(), pieces));
    }

    private void expectWord(int i, String word, String op, ColumnRef ref) {
        if (i >= tokens.size() || !tokens.get(i).isWord(word)) {
            throw PlanRefusal.notSupported(op + " refused: pgseal could not find the list compared with protected "
                    + "column " + ref.describe());
        }
    }

    private void expectSymbol(int i, String symbol, String op, ColumnRef ref) {
        if (i >= tokens.size() || !tokens.get(i).isSymbol(symbol)) {
            throw PlanRefusal.notSupported(op + " refused: pgseal could not find the list compared with protected "
                    + "column " + ref.describe());
        }
    }

    /**
     * Equality between two protected columns: allowed between occurrences of the same deterministic
     * column (a self-join) and between deterministic columns of one equality group. The envelope's
     * associated data binds the column (or its group), so equal values in two columns that share no
     * group have different ciphertexts even under one key ring: refused rather than silently
     * matching nothing. During a rotation the comparison matches only rows under the same key
     * version on both sides (as a self-join does).
     */
    private void equalityOfColumns(Optional<ColumnRef> a, Optional<ColumnRef> b, String op) {
        if (a.isEmpty() || b.isEmpty()) {
            ColumnRef p = a.or(() -> b).get();
            throw PlanRefusal.notSupported(op + " refused: it compares protected column " + p.describe()
                    + " with a column that is not protected");
        }
        ColumnRef x = a.get();
        ColumnRef y = b.get();
        requireDeterministic(x, op);
        requireDeterministic(y, op);
        if (!x.column().key().equals(y.column().key())) {
            throw PlanRefusal.notSupported(op + " refused: it compares protected columns " + x.describe() + " and "
                    + y.describe() + ", which are encrypted under different key rings");
        }
        if (!sharesEnvelopes(x, y)) {
            Optional<String> gx = x.column().equalityGroup();
            Optional<String> gy = y.column().equalityGroup();
            String why = gx.isPresent() && gy.isPresent()
                    ? "they are in different equality groups (" + gx.get() + " and " + gy.get() + ")"
                    : gx.isPresent() || gy.isPresent()
                    ? "only " + (gx.isPresent() ? x : y).describe() + " is in an equality group ("
                            + gx.or(() -> gy).get() + ")"
                    : "their envelopes are bound to their own column";
            throw PlanRefusal.notSupported(op + " refused: it compares protected columns " + x.describe() + " and "
                    + y.describe() + "; " + why + ", so equal values do not compare equal (put both in one"
                    + " equality_group of the policy to compare them)");
        }
        out.touch(x);
        out.touch(y);
    }

    /** Whether envelopes of {@code a} decrypt as {@code b}'s: the same column, or one equality group. */
    private static boolean sharesEnvelopes(ColumnRef a, ColumnRef b) {
        return a.column().sharesEnvelopesWith(a.table(), b.column(), b.table());
    }

    /**
     * A copy from {@code src} into another column of its group must not show the values to more
     * roles, or show more of them, than {@code src} does: every reader of {@code target} must read
     * {@code src}, and what other roles get ({@code on_unauthorized}) must be nothing ({@code error},
     * {@code nullify}) or the same as {@code src}'s.
     */
    private static void requireNoWiderAccess(ColumnRef src, ColumnRef target, String construct) {
        if (src.equals(target)) {
            return;
        }
        ColumnPolicy from = src.column();
        ColumnPolicy to = target.column();
        boolean readers = from.readers().everyone()
                || !to.readers().everyone() && from.readers().roles().containsAll(to.readers().roles());
        boolean others = to.onUnauthorized() == OnUnauthorized.ERROR || to.onUnauthorized() == OnUnauthorized.NULLIFY
                || to.onUnauthorized() == from.onUnauthorized() && to.mask().equals(from.mask());
        if (!readers || !others) {
            throw PlanRefusal.notSupported(construct + " refused: it copies protected column " + src.describe()
                    + " into protected column " + target.describe() + ", which "
                    + (readers ? "shows other roles more of a value (on_unauthorized)" : "has readers that "
                    + src.describe() + " does not have") + "; a copy must not widen who sees the values");
        }
    }

    private static void requireDeterministic(ColumnRef ref, String op) {
        if (!ref.column().isDeterministic()) {
            throw PlanRefusal.notSupported(op + " on protected column " + ref.describe() + " is not supported: it uses "
                    + "randomized encryption, which allows only IS [NOT] NULL");
        }
    }

    private static PlanRefusal refusedOn(String construct, ColumnRef ref) {
        return PlanRefusal.notSupported(construct + " on protected column " + ref.describe()
                + " is not supported: its values are encrypted");
    }

    // ---------------------------------------------------------------- text

    /** A literal (possibly signed, cast or typed) covering {@code node}'s span; plain if not a scalar literal. */
    private Val literal(SqlNode node) {
        int[] span = span(node);
        int i = tokens.indexAtOrAfter(span[0]);
        boolean negative = false;
        for (; i < tokens.size() && tokens.get(i).start() < span[1]; i++) {
            SqlToken t = tokens.get(i);
            switch (t.kind()) {
                case STRING, NUMBER -> {
                    return new Lit(Optional.of(negative ? "-" + t.text() : t.text()), span[0], span[1]);
                }
                case WORD -> {
                    if (t.text().equals("true") || t.text().equals("false")) {
                        return new Lit(Optional.of(t.text()), span[0], span[1]);
                    }
                }
                case SYMBOL -> negative ^= t.text().equals("-");
                default -> {
                    return PLAIN;
                }
            }
        }
        return PLAIN;
    }

    /** The {@code $n} token within {@code span} (its number read from PostgreSQL's own token, not the parser's). */
    private SqlToken parameterToken(int[] span) {
        for (SqlToken t : tokens.within(span[0], span[1])) {
            if (t.kind() == SqlToken.Kind.PARAMETER) {
                return t;
            }
        }
        throw PlanRefusal.notSupported("statement refused: pgseal could not locate a parameter in its text");
    }

    /** [start, end) of everything {@code node} and its operands cover, as offsets into the query string. */
    private int[] span(SqlNode node) {
        int[] span = {Integer.MAX_VALUE, Integer.MIN_VALUE};
        extend(node, span);
        if (span[0] == Integer.MAX_VALUE) {
            throw PlanRefusal.notSupported("statement refused: pgseal could not locate part of it in its text");
        }
        return span;
    }

    private void extend(SqlNode node, int[] span) {
        if (node == null) {
            return;
        }
        if (node instanceof SqlNodeList list) {
            for (SqlNode n : list) {
                extend(n, span);
            }
            return;
        }
        SqlParserPos pos = node.getParserPosition();
        if (pos != null && pos != SqlParserPos.ZERO && pos.getLineNum() > 0) {
            int start = parsed.start(pos);
            int end = parsed.end(pos);
            if (start >= 0 && end >= start) {
                span[0] = Math.min(span[0], base + start);
                span[1] = Math.max(span[1], base + end);
            }
        }
        if (node instanceof SqlCall call) {
            for (SqlNode operand : call.getOperandList()) {
                extend(operand, span);
            }
        }
    }

    private static String simpleName(SqlNode n) {
        SqlIdentifier id = (SqlIdentifier) n;
        return id.names.get(id.names.size() - 1);
    }
}
