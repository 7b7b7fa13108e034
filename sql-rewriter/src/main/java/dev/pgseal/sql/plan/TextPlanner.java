package dev.pgseal.sql.plan;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.lex.SqlLexException;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Plans a query string that the screen found to mention protected tables: splits it into
 * statements at top-level semicolons, parses those that mention a protected table, and combines
 * their plans. Offsets stay relative to the whole string. One refused statement refuses the string.
 *
 * <p>Statements that are not queries or DML: {@code ALTER TABLE} (which the screen has already
 * checked for protected columns and pgseal's constraints), and {@code TRUNCATE}, {@code LOCK},
 * {@code VACUUM}, {@code ANALYZE}, {@code GRANT} and {@code REVOKE} (which move no values) pass;
 * {@code COPY} goes to {@link CopyPlanner}; every other one that mentions a protected table
 * ({@code CREATE}, {@code DROP}, {@code EXPLAIN}, {@code MERGE}, …) is refused.
 */
public final class TextPlanner {

    private static final Set<String> QUERY_STARTS = Set.of("select", "insert", "update", "delete", "with", "values",
            "table");
    private static final Set<String> VALUELESS = Set.of("truncate", "lock", "vacuum", "analyze", "analyse", "grant",
            "revoke");

    private final PolicyIndex policy;
    private final StatementParser parser;
    private final CopyPlanner copies;

    private TextPlanner(PolicyIndex policy, StatementParser parser) {
        this.policy = policy;
        this.parser = parser;
        this.copies = new CopyPlanner(policy);
    }

    /** A planner for {@code policy}, parsing with pgseal's PostgreSQL grammar. */
    public static TextPlanner of(Policy policy) {
        return new TextPlanner(new PolicyIndex(policy), new PgStatementParser());
    }

    /** The plan of {@code sql}, which the screen has passed on to planning. */
    public StatementPlan plan(String sql, LexSettings settings, CatalogView catalog) {
        List<SqlToken> all;
        try {
            all = SqlLexer.tokenize(sql, settings);
        } catch (SqlLexException e) {
            return new StatementPlan.Refused(PlanRefusal.NOT_SUPPORTED, "pgseal: statement refused: it cannot be read ("
                    + PlanRefusal.ascii(e.getMessage()) + ") and a policy protects columns of this database");
        }
        SourceTokens tokens = new SourceTokens(all);
        PlanBuilder out = new PlanBuilder();
        for (SqlToken t : all) {
            if (t.kind() == SqlToken.Kind.PARAMETER) {
                out.parameterSeen(parameterNumber(t.text()));
            }
        }
        try {
            int statement = 0;
            int from = 0;
            StatementPlan.Copy copy = null;
            for (int i = 0; i <= all.size(); i++) {
                if (i < all.size() && !all.get(i).isSymbol(";")) {
                    continue;
                }
                if (i > from) {
                    List<SqlToken> st = all.subList(from, i);
                    TablePolicy named = st.get(0).isWord("copy") ? mentioned(st) : null;
                    if (named != null && copies.plan(st, catalog, named) instanceof StatementPlan.Copy c) {
                        copy = c;
                    } else if (named == null) {
                        planStatement(sql, settings, catalog, tokens, st, statement, out);
                    }
                    statement++;
                }
                from = i + 1;
            }
            if (copy != null) {
                return CopyPlanner.alone(copy, statement);
            }
            return out.build();
        } catch (PlanRefusal r) {
            return new StatementPlan.Refused(r.sqlState(), r.getMessage());
        }
    }

    private void planStatement(String sql, LexSettings settings, CatalogView catalog, SourceTokens tokens,
            List<SqlToken> st, int index, PlanBuilder out) {
        TablePolicy mentioned = mentioned(st);
        if (mentioned == null) {
            return;
        }
        SqlToken first = st.get(0);
        String word = first.kind() == SqlToken.Kind.WORD ? first.text() : first.text();
        String table = mentioned.name().toSql();
        if (word.equals("alter") && st.size() > 1 && st.get(1).isWord("table") || VALUELESS.contains(word)) {
            return;
        }
        if (!QUERY_STARTS.contains(word) && !word.equals("(")) {
            String what = first.kind() == SqlToken.Kind.WORD ? word.toUpperCase(Locale.ROOT) : "this";
            throw PlanRefusal.notSupported(what + " statement on protected table " + table + " refused: pgseal "
                    + "cannot plan it; run it on a direct connection if it moves no protected values");
        }
        int start = first.start();
        int end = st.get(st.size() - 1).end();
        ParsedStatement parsed;
        try {
            parsed = parser.parse(sql.substring(start, end), settings);
        } catch (StatementParser.ParseFailure e) {
            // The parser's message may quote the statement's values: never pass it on.
            throw PlanRefusal.notSupported("statement refused: it mentions protected table " + table
                    + " and pgseal cannot parse it");
        }
        new StatementAnalyzer(policy, catalog, sql, tokens, out, parsed, start, index).analyze();
    }

    /** The number of a {@code $n} token (PostgreSQL refuses numbers beyond int range itself). */
    private static int parameterNumber(String text) {
        try {
            return Integer.parseInt(text.substring(1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The first protected table (by bare name, any schema) a name token of {@code st} may denote. */
    private TablePolicy mentioned(List<SqlToken> st) {
        for (SqlToken t : st) {
            if (t.isName()) {
                List<TablePolicy> named = policy.named(t.text());
                if (!named.isEmpty()) {
                    return named.get(0);
                }
            }
        }
        return null;
    }
}
