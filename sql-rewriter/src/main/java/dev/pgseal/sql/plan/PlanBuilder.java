package dev.pgseal.sql.plan;

import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.ResultOrigin;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.TextEdit;
import dev.pgseal.sql.ValueUse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the statements of one query string add up to. Enforces that a parameter serves one purpose:
 * its declared type is rewritten once (bytea, bytea[] or left alone), so a parameter used for two
 * protected columns, or for a protected column and anything else, is refused.
 */
final class PlanBuilder {

    /** Marks a parameter used outside any protected column. */
    private static final Object PLAIN = new Object();

    private final List<TextEdit> edits = new ArrayList<>();
    private final Map<Integer, Object> parameters = new HashMap<>();
    private final List<ParameterPlan> parameterPlans = new ArrayList<>();
    private final List<ResultOrigin> results = new ArrayList<>();
    private final Set<String> rings = new HashSet<>();
    private final Set<ColumnRef> reads = new LinkedHashSet<>();
    private boolean touched;
    private int highestParameter;

    /** The statement reads or writes {@code column}: its ring must be ready, and the plan is no pass-through. */
    void touch(ColumnRef column) {
        touched = true;
        rings.add(column.column().key());
    }

    /** Protected column {@code column} is a column of the statement's result. */
    void read(ColumnRef column) {
        touch(column);
        reads.add(column);
    }

    /** The statement text uses parameter {@code $n}. */
    void parameterSeen(int n) {
        highestParameter = Math.max(highestParameter, n);
    }

    void edit(TextEdit edit) {
        edits.add(edit);
    }

    void result(ResultOrigin origin) {
        results.add(origin);
    }

    /** Parameter {@code n} carries a value for {@code target}, used as {@code use}. */
    void parameter(int n, ColumnRef target, ValueUse use) {
        touch(target);
        ParameterPlan plan = new ParameterPlan(n, target, use);
        Object before = parameters.putIfAbsent(n, plan);
        if (before == null) {
            parameterPlans.add(plan);
        } else if (!before.equals(plan)) {
            throw conflict(n, before, plan);
        }
    }

    /** Parameter {@code n} is used where no protected column is involved. */
    void plainParameter(int n) {
        Object before = parameters.putIfAbsent(n, PLAIN);
        if (before != null && before != PLAIN) {
            throw conflict(n, before, PLAIN);
        }
    }

    private static PlanRefusal conflict(int n, Object a, Object b) {
        return PlanRefusal.notSupported("parameter $" + n + " is used both " + describe(a) + " and " + describe(b)
                + "; pgseal can send a parameter in one form only: use a separate parameter for each use");
    }

    private static String describe(Object use) {
        if (use instanceof ParameterPlan p) {
            return (p.use() == ValueUse.STORE ? "as a value stored in" : "in an equality comparison with")
                    + " protected column " + p.target().describe();
        }
        return "outside protected columns";
    }

    StatementPlan build() {
        if (!touched && edits.isEmpty() && parameterPlans.isEmpty() && results.isEmpty()) {
            return new StatementPlan.PassThrough();
        }
        edits.sort(Comparator.comparingInt(TextEdit::start));
        for (int i = 1; i < edits.size(); i++) {
            if (edits.get(i).start() < edits.get(i - 1).end()) {
                // Two rewrites of one span would mean the analysis misread the statement.
                throw PlanRefusal.notSupported("statement refused: pgseal could not rewrite it unambiguously");
            }
        }
        parameterPlans.sort(Comparator.comparingInt(ParameterPlan::number));
        return new StatementPlan.Rewrite(edits, parameterPlans, results, rings, reads,
                Math.max(highestParameter, parameterPlans.isEmpty() ? 0 : parameterPlans.get(parameterPlans.size() - 1).number()));
    }
}
