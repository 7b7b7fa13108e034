package dev.pgseal.sql;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.sql.lex.SqlLexException;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The first, cheap look at a statement: which protected tables of the policy it mentions, and
 * whether it reaches into pgseal's own schema. It tokenizes (so names inside literals and comments
 * do not count) but does not parse, and it errs on the side of "mentioned": any name equal to a
 * protected table's name counts, unless it is qualified by another schema. A statement that
 * mentions no protected table can go to PostgreSQL untouched (the fast path); anything else needs a
 * plan, or a refusal.
 */
public final class StatementScreen {

    /** The schema where pgseal keeps wrapped keys, audit and jobs; clients may not touch it. */
    public static final String PGSEAL_SCHEMA = "pgseal";

    private final Map<String, List<QualifiedName>> protectedByName;

    private StatementScreen(Map<String, List<QualifiedName>> protectedByName) {
        this.protectedByName = protectedByName;
    }

    /** A screen for the tables of {@code policy}. */
    public static StatementScreen of(Policy policy) {
        Map<String, List<QualifiedName>> byName = new HashMap<>();
        for (QualifiedName t : policy.tableNames()) {
            byName.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(t);
        }
        byName.replaceAll((k, v) -> List.copyOf(v));
        return new StatementScreen(Map.copyOf(byName));
    }

    /** Screens one SQL string (which may hold several statements). */
    public Screening screen(String sql) {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(sql);
        } catch (SqlLexException e) {
            return new Screening(Set.of(), false, Optional.of(e.getMessage()));
        }
        Set<QualifiedName> mentioned = new LinkedHashSet<>();
        boolean pgsealSchema = false;
        boolean searchPath = false;
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (!t.isName()) {
                continue;
            }
            if (t.kind() == SqlToken.Kind.WORD && t.text().equals("search_path")) {
                searchPath = true;
            }
            boolean qualifies = i + 1 < tokens.size() && tokens.get(i + 1).isSymbol(".");
            if (t.text().equals(PGSEAL_SCHEMA) && qualifies) {
                pgsealSchema = true;
            }
            if (t.text().equals(PGSEAL_SCHEMA)) {
                pgsealSchema |= searchPath;
            }
            List<QualifiedName> candidates = protectedByName.get(t.text());
            if (candidates == null) {
                continue;
            }
            boolean qualified = i >= 2 && tokens.get(i - 1).isSymbol(".") && tokens.get(i - 2).isName();
            if (qualified) {
                String schema = tokens.get(i - 2).text();
                candidates.stream().filter(q -> q.schema().equals(schema)).forEach(mentioned::add);
            } else {
                mentioned.addAll(candidates);
            }
        }
        return new Screening(Set.copyOf(mentioned), pgsealSchema, Optional.empty());
    }

    /**
     * What the screen found.
     *
     * @param protectedTables the protected tables the statement (may) mention
     * @param touchesPgsealSchema whether it names pgseal's own schema
     * @param unreadable why the text could not be tokenized, if it could not
     */
    public record Screening(Set<QualifiedName> protectedTables, boolean touchesPgsealSchema, Optional<String> unreadable) {

        /** Whether PostgreSQL may receive the statement untouched. */
        public boolean isPassThrough() {
            return protectedTables.isEmpty() && !touchesPgsealSchema && unreadable.isEmpty();
        }
    }
}
