package dev.pgseal.sql;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.lex.SqlLexException;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The first, cheap look at a statement: which protected tables of the policy it mentions, whether
 * it reaches into pgseal's own schema, and whether it must be refused because pgseal cannot see
 * what it does.
 *
 * <p>It reads the text with {@link SqlLexer}, exactly as PostgreSQL does under the session's
 * {@link LexSettings} (so names inside literals and comments do not count, and escaped or
 * continued names are decoded), but does not parse. It errs on the side of "mentioned": any name
 * equal to a protected table's name counts, unless it is qualified by another schema.
 *
 * <p><b>Statements whose effect pgseal cannot see</b> are refused ({@link Refusal}, SQLSTATE
 * {@code 0A000}) when a protected table's name appears anywhere in their text: as a name, inside
 * any string or dollar-quoted body after decoding, in the raw text (any case), or in those bodies
 * read again as SQL under both settings of {@code standard_conforming_strings}. These are
 * {@code DO}; {@code CREATE [OR REPLACE] FUNCTION | PROCEDURE | [MATERIALIZED] VIEW | RULE |
 * TRIGGER}; {@code CREATE TABLE … INHERITS | PARTITION OF}; calls of functions that run SQL given
 * as text ({@code query_to_xml} and friends, {@code ts_stat}, {@code ts_rewrite}, {@code dblink*}).
 * {@code ALTER TABLE} of a protected table is refused when it drops, alters or renames a protected
 * column or a {@code pgseal_} constraint, renames the table or moves it to another schema. Always
 * refused under a policy: {@code table_to_xml*}, {@code schema_to_xml*}, {@code database_to_xml*}
 * (they take a table or schema that can be given as an OID, so no text search can see what they
 * read), {@code CREATE TEMP|RECURSIVE VIEW}, {@code CREATE CONSTRAINT TRIGGER} and
 * {@code CREATE EVENT TRIGGER}.
 *
 * <p><b>What stays invisible.</b> SQL assembled from pieces at run time: {@code EXECUTE 'INSERT
 * INTO cust' || 'omers …'} or {@code EXECUTE 'SELECT … FROM ' || 16384::regclass} inside a
 * function created through a direct connection (or inside a {@code DO} block or a
 * {@code query_to_xml} argument built the same way), and anything a function, trigger or rule
 * created before the policy does. No text screen can follow those. Writes are covered anyway:
 * every protected column carries a CHECK constraint that accepts only NULL or a pgseal envelope,
 * so PostgreSQL itself refuses a plaintext write by any route with {@code 23514}; a read by such a
 * route sees only ciphertext.
 */
public final class StatementScreen {

    /** The schema where pgseal keeps wrapped keys, audit and jobs; clients may not touch it. */
    public static final String PGSEAL_SCHEMA = "pgseal";

    /** SQLSTATE feature_not_supported, for every refusal of this screen. */
    public static final String NOT_SUPPORTED = "0A000";

    /** Functions that run SQL given to them as text, or read a cursor such SQL opened. */
    private static final Set<String> QUERY_RUNNING = Set.of("query_to_xml", "query_to_xml_and_xmlschema",
            "query_to_xmlschema", "cursor_to_xml", "cursor_to_xmlschema", "ts_stat", "ts_rewrite");

    /** Prefixes of functions that take a table or schema, possibly as an OID: never screenable. */
    private static final List<String> ALWAYS_REFUSED_PREFIXES = List.of("table_to_xml", "schema_to_xml",
            "database_to_xml");

    /** How many characters the search of nested bodies may read, per character of the statement. */
    private static final int SEARCH_BUDGET_FACTOR = 32;

    private final Map<String, List<QualifiedName>> protectedByName;
    private final Map<QualifiedName, TablePolicy> tables;

    private StatementScreen(Map<String, List<QualifiedName>> protectedByName, Map<QualifiedName, TablePolicy> tables) {
        this.protectedByName = protectedByName;
        this.tables = tables;
    }

    /** A screen for the tables of {@code policy}. */
    public static StatementScreen of(Policy policy) {
        Map<String, List<QualifiedName>> byName = new HashMap<>();
        Map<QualifiedName, TablePolicy> tables = new HashMap<>();
        for (TablePolicy t : policy.tables()) {
            byName.computeIfAbsent(t.name().name(), k -> new ArrayList<>()).add(t.name());
            tables.put(t.name(), t);
        }
        byName.replaceAll((k, v) -> List.copyOf(v));
        return new StatementScreen(Map.copyOf(byName), Map.copyOf(tables));
    }

    /** Screens one SQL string (which may hold several statements) with standard conforming strings. */
    public Screening screen(String sql) {
        return screen(sql, LexSettings.STANDARD);
    }

    /** Screens one SQL string (which may hold several statements) as PostgreSQL reads it under {@code settings}. */
    public Screening screen(String sql, LexSettings settings) {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(sql, settings);
        } catch (SqlLexException e) {
            return new Screening(Set.of(), false, Optional.of(e.getMessage()), Optional.empty());
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
            if (t.text().equals(PGSEAL_SCHEMA) && (qualifies || searchPath)) {
                pgsealSchema = true;
            }
            mentioned.addAll(protectedNamed(tokens, i));
        }
        Optional<Refusal> refusal = Optional.empty();
        if (!protectedByName.isEmpty()) {
            for (List<SqlToken> statement : statements(tokens)) {
                refusal = refusal(sql, statement);
                if (refusal.isPresent()) {
                    break;
                }
            }
        }
        return new Screening(Set.copyOf(mentioned), pgsealSchema, Optional.empty(), refusal);
    }

    /** The protected tables the name token at {@code i} may denote, with its qualifier if any. */
    private List<QualifiedName> protectedNamed(List<SqlToken> tokens, int i) {
        List<QualifiedName> candidates = protectedByName.get(tokens.get(i).text());
        if (candidates == null) {
            return List.of();
        }
        boolean qualified = i >= 2 && tokens.get(i - 1).isSymbol(".") && tokens.get(i - 2).isName();
        if (!qualified) {
            return candidates;
        }
        String schema = tokens.get(i - 2).text();
        return candidates.stream().filter(q -> q.schema().equals(schema)).toList();
    }

    /**
     * Splits at {@code ;} outside parentheses (a rule's action list) and outside a
     * {@code BEGIN ATOMIC … END} function body.
     */
    private static List<List<SqlToken>> statements(List<SqlToken> tokens) {
        List<List<SqlToken>> out = new ArrayList<>();
        List<SqlToken> current = new ArrayList<>();
        int parens = 0;
        int atomic = 0;
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.isSymbol("(")) {
                parens++;
            } else if (t.isSymbol(")")) {
                parens--;
            } else if (t.isWord("atomic") && i > 0 && tokens.get(i - 1).isWord("begin")) {
                atomic++;
            } else if (atomic > 0 && t.isWord("case")) {
                atomic++;
            } else if (atomic > 0 && t.isWord("end")) {
                atomic--;
            }
            if (t.isSymbol(";") && parens <= 0 && atomic <= 0) {
                if (!current.isEmpty()) {
                    out.add(current);
                }
                current = new ArrayList<>();
                parens = 0;
            } else {
                current.add(t);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private Optional<Refusal> refusal(String sql, List<SqlToken> st) {
        String raw = sql.substring(st.get(0).start(), st.get(st.size() - 1).end());
        Evidence evidence = new Evidence(raw.length());
        // Functions that can read any table by OID: no text search helps, so never.
        for (SqlToken t : st) {
            if (t.isName() && alwaysRefused(t.text())) {
                return refuse("call of " + t.text() + " refused: it can read any table, protected ones included, "
                        + "given by OID; pgseal cannot see which");
            }
        }
        SqlToken first = st.get(0);
        if (first.isWord("do")) {
            return evidence.search(st, raw).map(e -> refuseUnseen("DO block", e));
        }
        for (int i = 0; i < st.size(); i++) {
            if (st.get(i).isWord("create")) {
                Optional<Refusal> r = createRefusal(st, i, raw, evidence);
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        if (first.isWord("alter") && st.size() > 1 && st.get(1).isWord("table")) {
            Optional<Refusal> r = alterTableRefusal(st);
            if (r.isPresent()) {
                return r;
            }
        }
        for (SqlToken t : st) {
            if (t.isName() && (QUERY_RUNNING.contains(t.text()) || t.text().startsWith("dblink"))) {
                Optional<String> e = evidence.search(st, raw);
                if (e.isPresent()) {
                    return Optional.of(refuseUnseen("call of " + t.text(), e.get()));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean alwaysRefused(String function) {
        return ALWAYS_REFUSED_PREFIXES.stream().anyMatch(function::startsWith);
    }

    private Optional<Refusal> createRefusal(List<SqlToken> st, int at, String raw, Evidence evidence) {
        int i = at + 1;
        if (word(st, i, "or") && word(st, i + 1, "replace")) {
            i += 2;
        }
        String w1 = wordAt(st, i);
        String w2 = wordAt(st, i + 1);
        String w3 = wordAt(st, i + 2);
        boolean temp = w1.equals("temp") || w1.equals("temporary");
        if ((temp && (w2.equals("view") || (w2.equals("recursive") && w3.equals("view"))))
                || (w1.equals("recursive") && w2.equals("view"))
                || (w1.equals("constraint") || w1.equals("event")) && w2.equals("trigger")) {
            String what = "CREATE " + w1.toUpperCase(Locale.ROOT) + " " + w2.toUpperCase(Locale.ROOT)
                    + (w2.equals("recursive") ? " VIEW" : "");
            return refuse(what + " refused: pgseal does not allow it while a policy protects columns of this "
                    + "database, because it cannot see what it does");
        }
        String construct = switch (w1) {
            case "function", "procedure", "rule", "trigger", "view" -> "CREATE " + w1.toUpperCase(Locale.ROOT);
            case "materialized" -> w2.equals("view") ? "CREATE MATERIALIZED VIEW" : null;
            default -> null;
        };
        if (construct == null && tableWithin(st, i)) {
            for (int k = i; k < st.size(); k++) {
                if (st.get(k).isWord("inherits")) {
                    construct = "CREATE TABLE ... INHERITS";
                } else if (st.get(k).isWord("partition") && word(st, k + 1, "of")) {
                    construct = "CREATE TABLE ... PARTITION OF";
                }
            }
        }
        if (construct == null) {
            return Optional.empty();
        }
        String what = construct;
        return evidence.search(st, raw).map(e -> refuseUnseen(what, e));
    }

    /** Whether {@code TABLE} follows at {@code i} after GLOBAL, LOCAL, TEMP, UNLOGGED, FOREIGN. */
    private static boolean tableWithin(List<SqlToken> st, int i) {
        Set<String> modifiers = Set.of("global", "local", "temp", "temporary", "unlogged", "foreign");
        int k = i;
        while (k < st.size() && st.get(k).kind() == SqlToken.Kind.WORD && modifiers.contains(st.get(k).text())) {
            k++;
        }
        return word(st, k, "table");
    }

    private Optional<Refusal> alterTableRefusal(List<SqlToken> st) {
        int i = 2;
        if (word(st, i, "if") && word(st, i + 1, "exists")) {
            i += 2;
        }
        if (word(st, i, "only")) {
            i++;
        }
        int last = i;
        while (last + 2 < st.size() && st.get(last + 1).isSymbol(".") && st.get(last + 2).isName()) {
            last += 2;
        }
        if (last >= st.size() || !st.get(last).isName()) {
            return Optional.empty();
        }
        List<QualifiedName> targets = protectedNamed(st, last);
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        String table = ascii(targets.get(0).toSql());
        for (int k = last + 1; k < st.size(); k++) {
            SqlToken t = st.get(k);
            if (t.kind() != SqlToken.Kind.WORD) {
                continue;
            }
            switch (t.text()) {
                case "rename" -> {
                    if (word(st, k + 1, "to")) {
                        return refuse("ALTER TABLE refused: it renames protected table " + table);
                    }
                    Optional<Refusal> r = columnOrConstraint(st, k + 1, targets, "renames", table);
                    if (r.isPresent()) {
                        return r;
                    }
                }
                case "drop", "alter" -> {
                    Optional<Refusal> r = columnOrConstraint(st, k + 1, targets,
                            t.text().equals("drop") ? "drops" : "alters", table);
                    if (r.isPresent()) {
                        return r;
                    }
                }
                case "set" -> {
                    if (word(st, k + 1, "schema")) {
                        return refuse("ALTER TABLE refused: it moves protected table " + table + " to another schema");
                    }
                }
                default -> {
                }
            }
        }
        return Optional.empty();
    }

    /** After DROP, ALTER or RENAME at {@code k}: a protected column or a pgseal_ constraint named there. */
    private Optional<Refusal> columnOrConstraint(List<SqlToken> st, int k, List<QualifiedName> targets, String verb,
            String table) {
        boolean constraint = false;
        if (word(st, k, "constraint")) {
            constraint = true;
            k++;
        } else if (word(st, k, "column")) {
            k++;
        }
        if (word(st, k, "if") && word(st, k + 1, "exists")) {
            k += 2;
        }
        if (k >= st.size() || !st.get(k).isName()) {
            return Optional.empty();
        }
        String name = st.get(k).text();
        if (constraint) {
            return name.startsWith("pgseal_")
                    ? refuse("ALTER TABLE refused: it " + verb + " constraint " + ascii(name) + " that pgseal relies on, of "
                            + "protected table " + table)
                    : Optional.empty();
        }
        for (QualifiedName q : targets) {
            if (tables.get(q).protects(name)) {
                return refuse("ALTER TABLE refused: it " + verb + " protected column " + ascii(name) + " of protected "
                        + "table " + ascii(q.toSql()));
            }
        }
        return Optional.empty();
    }

    private static boolean word(List<SqlToken> st, int i, String w) {
        return i < st.size() && st.get(i).isWord(w);
    }

    private static String wordAt(List<SqlToken> st, int i) {
        return i < st.size() && st.get(i).kind() == SqlToken.Kind.WORD ? st.get(i).text() : "";
    }

    private static Optional<Refusal> refuse(String message) {
        return Optional.of(new Refusal(NOT_SUPPORTED, "pgseal: " + message));
    }

    private static Refusal refuseUnseen(String construct, String evidence) {
        return new Refusal(NOT_SUPPORTED, "pgseal: " + construct + " refused: its text " + evidence
                + "; pgseal cannot see what it does");
    }

    /** {@code s} with every character outside printable ASCII written as {@code \}{@code uXXXX}. */
    static String ascii(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            }
        }
        return out.toString();
    }

    /**
     * The search of one statement for anything that makes an unseeable construct dangerous: a
     * protected table's name anywhere, or a function that reads tables by OID inside a body. Each
     * string is read once per value; the total read is bounded, and running out of budget counts as
     * a finding (nested bodies that large are not worth the risk).
     */
    private final class Evidence {
        private long budget;
        private final Set<String> seen = new HashSet<>();
        private Optional<String> result;

        Evidence(int size) {
            this.budget = (long) SEARCH_BUDGET_FACTOR * size + 4096;
        }

        Optional<String> search(List<SqlToken> statement, String raw) {
            if (result == null) {
                result = Optional.ofNullable(searchText(raw));
                if (result.isEmpty()) {
                    result = Optional.ofNullable(searchTokens(statement, false));
                }
            }
            return result;
        }

        /** A protected name in {@code text}, compared without regard to case. */
        private String searchText(String text) {
            String lower = text.toLowerCase(Locale.ROOT);
            for (List<QualifiedName> names : protectedByName.values()) {
                if (lower.contains(names.get(0).name().toLowerCase(Locale.ROOT))) {
                    return mentions(names.get(0));
                }
            }
            return null;
        }

        private String searchTokens(List<SqlToken> tokens, boolean body) {
            for (SqlToken t : tokens) {
                if (t.isName()) {
                    List<QualifiedName> named = protectedByName.get(t.text());
                    if (named != null) {
                        return mentions(named.get(0));
                    }
                    if (body && alwaysRefused(t.text())) {
                        return "calls " + ascii(t.text()) + ", which can read any table by OID";
                    }
                } else if (t.kind() == SqlToken.Kind.STRING || t.kind() == SqlToken.Kind.BIT_STRING) {
                    String found = searchBody(t.text());
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }

        /** A string's value, and the same value read as SQL under both settings. */
        private String searchBody(String value) {
            if (!seen.add(value)) {
                return null;
            }
            budget -= value.length();
            if (budget < 0) {
                return "holds nested bodies too large to search";
            }
            String found = searchText(value);
            if (found != null) {
                return found;
            }
            String lower = value.toLowerCase(Locale.ROOT);
            for (String prefix : ALWAYS_REFUSED_PREFIXES) {
                if (lower.contains(prefix)) {
                    return "calls " + prefix + ", which can read any table by OID";
                }
            }
            for (LexSettings s : new LexSettings[] {LexSettings.STANDARD, LexSettings.LEGACY}) {
                List<SqlToken> inner;
                try {
                    inner = SqlLexer.tokenize(value, s);
                } catch (SqlLexException e) {
                    // Not SQL under this setting; its raw text was searched above.
                    continue;
                }
                found = searchTokens(inner, true);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }

        private String mentions(QualifiedName table) {
            return "mentions protected table " + ascii(table.toSql());
        }
    }

    /**
     * A statement pgseal refuses outright.
     *
     * @param sqlState the SQLSTATE to report, {@code 0A000}
     * @param message the error message, ASCII only (names outside ASCII written as {@code \}{@code uXXXX})
     *     so that it survives any client encoding
     */
    public record Refusal(String sqlState, String message) {
    }

    /**
     * What the screen found.
     *
     * @param protectedTables the protected tables the statement (may) mention as names
     * @param touchesPgsealSchema whether it names pgseal's own schema
     * @param unreadable why the text could not be tokenized, if it could not
     * @param refusal why the statement must be refused whatever else holds, if it must
     */
    public record Screening(Set<QualifiedName> protectedTables, boolean touchesPgsealSchema, Optional<String> unreadable,
            Optional<Refusal> refusal) {

        /** A screening without a refusal. */
        public Screening(Set<QualifiedName> protectedTables, boolean touchesPgsealSchema, Optional<String> unreadable) {
            this(protectedTables, touchesPgsealSchema, unreadable, Optional.empty());
        }

        /** Whether PostgreSQL may receive the statement untouched. */
        public boolean isPassThrough() {
            return protectedTables.isEmpty() && !touchesPgsealSchema && unreadable.isEmpty() && refusal.isEmpty();
        }
    }
}
