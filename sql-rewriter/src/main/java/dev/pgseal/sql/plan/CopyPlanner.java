package dev.pgseal.sql.plan;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.CopyColumn;
import dev.pgseal.sql.CopyFormat;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.lex.SqlToken;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans one {@code COPY} statement that mentions a protected table, read from its tokens as
 * PostgreSQL 15's grammar reads it:
 *
 * <pre>
 * COPY [BINARY] table [(col, …)] FROM|TO STDIN|STDOUT|'file'|PROGRAM 'cmd'
 *      [[USING] DELIMITERS 'c'] [WITH] ( option [arg], … ) | old-style options
 *      [WHERE condition]
 * COPY (query) TO …
 * </pre>
 *
 * <p>A protected table with the data through the client ({@code STDIN}/{@code STDOUT}) in text or CSV
 * format gives a {@link StatementPlan.Copy} when its column list holds a protected column (else the
 * statement moves no protected value and passes). Refused with {@code 0A000}: {@code BINARY},
 * server files and {@code PROGRAM} (the data would bypass pgseal), {@code COPY (query)} mentioning a
 * protected table (its output has no column origins to decrypt by), a {@code WHERE} naming a
 * protected column or table, and every option or shape pgseal cannot read with certainty.
 */
final class CopyPlanner {

    /** Characters PostgreSQL refuses as a text-format delimiter; pgseal relies on that (hex envelopes). */
    private static final String TEXT_DELIMITER_FORBIDDEN = "\\.abcdefghijklmnopqrstuvwxyz0123456789";

    private final PolicyIndex policy;

    CopyPlanner(PolicyIndex policy) {
        this.policy = policy;
    }

    /**
     * The plan of {@code st} (the tokens of one COPY statement, {@code COPY} first), which mentions
     * protected table {@code mentioned} by name somewhere.
     *
     * @return a {@link StatementPlan.Copy}, or {@link StatementPlan.PassThrough} when no protected value moves
     * @throws PlanRefusal when it must be refused
     */
    StatementPlan plan(List<SqlToken> st, CatalogView catalog, TablePolicy mentioned) {
        Reader r = new Reader(st);
        r.next(); // COPY
        boolean binaryPrefix = r.word("binary");
        if (r.symbol("(")) {
            throw PlanRefusal.notSupported("COPY (query) refused: the query mentions protected table "
                    + mentioned.name().toSql() + ", and pgseal cannot decrypt the output of COPY (query); use "
                    + "SELECT, or COPY " + mentioned.name().toSql() + " TO STDOUT");
        }
        List<String> names = r.qualifiedName();
        if (names == null) {
            throw unreadable(mentioned.name(), "its table name");
        }
        Optional<QualifiedName> resolved = resolve(names, catalog, mentioned.name());
        if (resolved.isEmpty()) {
            return new StatementPlan.PassThrough();
        }
        QualifiedName table = resolved.get();
        TablePolicy tp = policy.policy().table(table).orElseThrow();
        String t = table.toSql();

        List<String> listed = null;
        if (r.symbol("(")) {
            listed = r.nameList(t);
            if (!r.symbol(")")) {
                throw unreadable(table, "its column list");
            }
        }
        StatementPlan.Copy.Direction direction;
        if (r.word("from")) {
            direction = StatementPlan.Copy.Direction.FROM_CLIENT;
        } else if (r.word("to")) {
            direction = StatementPlan.Copy.Direction.TO_CLIENT;
        } else {
            throw unreadable(table, "its direction (FROM or TO)");
        }
        if (r.word("program")) {
            throw PlanRefusal.notSupported("COPY of protected table " + t + " with PROGRAM refused: the data would "
                    + "bypass pgseal; use COPY ... " + (direction == StatementPlan.Copy.Direction.FROM_CLIENT
                    ? "FROM STDIN" : "TO STDOUT") + " (psql: \\copy)");
        }
        if (r.peekKind(SqlToken.Kind.STRING)) {
            throw PlanRefusal.notSupported("COPY of protected table " + t + " " + (direction
                    == StatementPlan.Copy.Direction.FROM_CLIENT ? "from" : "to") + " a server file refused: the data "
                    + "would bypass pgseal; use COPY ... " + (direction == StatementPlan.Copy.Direction.FROM_CLIENT
                    ? "FROM STDIN" : "TO STDOUT") + " (psql: \\copy)");
        }
        // PostgreSQL reads STDIN and STDOUT alike in either direction: the client's stream.
        if (!r.word("stdin") && !r.word("stdout")) {
            throw unreadable(table, "its source or destination");
        }
        Options o = new Options(table);
        if (binaryPrefix) {
            o.binary = true;
        }
        if (r.word("using") && !r.peekWord("delimiters")) {
            throw unreadable(table, "USING");
        }
        if (r.word("delimiters")) {
            o.delimiter = o.once(o.delimiter, "DELIMITERS", r.string(t, "DELIMITERS"));
        }
        r.word("with");
        if (r.symbol("(")) {
            genericOptions(r, o);
        } else {
            oldOptions(r, o);
        }
        if (r.word("where")) {
            whereCheck(r.rest(), tp, table);
        }
        if (!r.atEnd()) {
            throw unreadable(table, "the text after its options");
        }

        List<String> columnNames = listed;
        if (columnNames == null) {
            Optional<List<String>> all = catalog.columns(table);
            if (all.isEmpty()) {
                throw PlanRefusal.notSupported("COPY refused: the catalog does not describe protected table " + t
                        + "; pgseal cannot tell its column order");
            }
            columnNames = all.get();
        }
        List<CopyColumn> columns = new ArrayList<>(columnNames.size());
        Set<String> rings = new LinkedHashSet<>();
        for (String name : columnNames) {
            Optional<ColumnPolicy> cp = tp.column(name);
            columns.add(new CopyColumn(name, cp.map(c -> new ColumnRef(table, c))));
            cp.ifPresent(c -> rings.add(c.key()));
        }
        if (rings.isEmpty()) {
            return new StatementPlan.PassThrough();
        }
        CopyFormat format = o.format(direction);
        return new StatementPlan.Copy(table, direction, columns, format, rings);
    }

    /**
     * {@code copy} when it is the only statement of its query string ({@code statements} counted);
     * the proxy follows one COPY per query string.
     */
    static StatementPlan alone(StatementPlan.Copy copy, int statements) {
        if (statements != 1) {
            throw PlanRefusal.notSupported("COPY of protected table " + copy.table().toSql() + " refused: it must be "
                    + "the only statement of its query string");
        }
        return copy;
    }

    /** The protected table {@code names} denotes, empty when it is another relation. */
    private Optional<QualifiedName> resolve(List<String> names, CatalogView catalog, QualifiedName mentioned) {
        String name = names.get(names.size() - 1);
        List<TablePolicy> candidates = policy.named(name);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        if (names.size() == 3) {
            throw PlanRefusal.notSupported("COPY refused: pgseal does not read a table name with a database part ("
                    + String.join(".", names) + ") when it may be protected table " + mentioned.toSql());
        }
        if (names.size() == 2) {
            QualifiedName q = new QualifiedName(names.get(0), name);
            return policy.policy().table(q).isPresent() ? Optional.of(q) : Optional.empty();
        }
        Set<String> holders = catalog.schemasHolding(name);
        List<TablePolicy> present = candidates.stream().filter(t -> holders.contains(t.name().schema())).toList();
        if (present.isEmpty()) {
            return Optional.empty();
        }
        if (holders.size() > 1) {
            throw PlanRefusal.notSupported("COPY refused: pgseal cannot tell which relation " + name + " means (schemas "
                    + String.join(", ", new TreeSet<>(holders)) + " each hold one, and " + present.get(0).name().toSql()
                    + " is protected); qualify it with its schema");
        }
        return Optional.of(present.get(0).name());
    }

    /** A WHERE clause may filter on plain columns only, and read no protected table. */
    private void whereCheck(List<SqlToken> where, TablePolicy target, QualifiedName table) {
        for (SqlToken tok : where) {
            if (!tok.isName()) {
                continue;
            }
            if (target.protects(tok.text())) {
                throw PlanRefusal.notSupported("COPY of protected table " + table.toSql() + " refused: its WHERE "
                        + "clause uses protected column " + table.toSql() + "." + tok.text() + ", whose values "
                        + "PostgreSQL only sees encrypted");
            }
            if (!policy.named(tok.text()).isEmpty()) {
                throw PlanRefusal.notSupported("COPY of protected table " + table.toSql() + " refused: its WHERE "
                        + "clause mentions protected table " + policy.named(tok.text()).get(0).name().toSql());
            }
        }
    }

    /** {@code ( name [arg], … )}, the opening parenthesis read. */
    private void genericOptions(Reader r, Options o) {
        String t = o.table.toSql();
        do {
            SqlToken nameToken = r.next();
            if (nameToken == null || !nameToken.isName()) {
                throw unreadable(o.table, "its option list");
            }
            String name = nameToken.text();
            switch (name) {
                case "format" -> {
                    String f = r.word(t, "FORMAT");
                    switch (f) {
                        case "text" -> o.csv = o.once(o.csv, "FORMAT", Boolean.FALSE);
                        case "csv" -> o.csv = o.once(o.csv, "FORMAT", Boolean.TRUE);
                        case "binary" -> o.binary = true;
                        default -> throw unreadable(o.table, "FORMAT " + f);
                    }
                }
                case "freeze" -> o.freeze = o.once(o.freeze, "FREEZE", r.optionalBoolean(t, "FREEZE"));
                case "delimiter" -> o.delimiter = o.once(o.delimiter, "DELIMITER", r.string(t, "DELIMITER"));
                case "null" -> o.nullString = o.once(o.nullString, "NULL", r.string(t, "NULL"));
                case "header" -> o.header = o.once(o.header, "HEADER", r.header(t));
                case "quote" -> o.quote = o.once(o.quote, "QUOTE", r.string(t, "QUOTE"));
                case "escape" -> o.escape = o.once(o.escape, "ESCAPE", r.string(t, "ESCAPE"));
                case "encoding" -> o.encoding = o.once(o.encoding, "ENCODING", r.string(t, "ENCODING"));
                case "force_quote" -> {
                    if (r.symbol("*")) {
                        o.forceQuote = o.once(o.forceQuote, "FORCE_QUOTE", Set.of());
                        o.forceQuoteAll = true;
                    } else {
                        o.forceQuote = o.once(o.forceQuote, "FORCE_QUOTE", r.parenthesizedNames(t, "FORCE_QUOTE"));
                    }
                }
                case "force_not_null" -> o.forceNotNull = o.once(o.forceNotNull, "FORCE_NOT_NULL",
                        r.parenthesizedNames(t, "FORCE_NOT_NULL"));
                case "force_null" -> o.forceNull = o.once(o.forceNull, "FORCE_NULL",
                        r.parenthesizedNames(t, "FORCE_NULL"));
                default -> throw unreadable(o.table, "option " + name);
            }
        } while (r.symbol(","));
        if (!r.symbol(")")) {
            throw unreadable(o.table, "its option list");
        }
    }

    /** PostgreSQL's pre-9.0 option words, as many as follow. */
    private void oldOptions(Reader r, Options o) {
        String t = o.table.toSql();
        while (!r.atEnd() && !r.peekWord("where")) {
            SqlToken w = r.next();
            if (w.kind() != SqlToken.Kind.WORD) {
                throw unreadable(o.table, "its options");
            }
            switch (w.text()) {
                case "binary" -> o.binary = true;
                case "freeze" -> o.freeze = o.once(o.freeze, "FREEZE", Boolean.TRUE);
                case "csv" -> o.csv = o.once(o.csv, "CSV", Boolean.TRUE);
                case "header" -> o.header = o.once(o.header, "HEADER", CopyFormat.Header.PRESENT);
                case "delimiter" -> o.delimiter = o.once(o.delimiter, "DELIMITER", r.asString(t, "DELIMITER"));
                case "null" -> o.nullString = o.once(o.nullString, "NULL", r.asString(t, "NULL"));
                case "quote" -> o.quote = o.once(o.quote, "QUOTE", r.asString(t, "QUOTE"));
                case "escape" -> o.escape = o.once(o.escape, "ESCAPE", r.asString(t, "ESCAPE"));
                case "encoding" -> o.encoding = o.once(o.encoding, "ENCODING", r.string(t, "ENCODING"));
                case "force" -> {
                    if (r.word("quote")) {
                        if (r.symbol("*")) {
                            o.forceQuote = o.once(o.forceQuote, "FORCE QUOTE", Set.of());
                            o.forceQuoteAll = true;
                        } else {
                            o.forceQuote = o.once(o.forceQuote, "FORCE QUOTE", Set.copyOf(r.nameList(t)));
                        }
                    } else if (r.word("not")) {
                        if (!r.word("null")) {
                            throw unreadable(o.table, "FORCE NOT");
                        }
                        o.forceNotNull = o.once(o.forceNotNull, "FORCE NOT NULL", Set.copyOf(r.nameList(t)));
                    } else if (r.word("null")) {
                        o.forceNull = o.once(o.forceNull, "FORCE NULL", Set.copyOf(r.nameList(t)));
                    } else {
                        throw unreadable(o.table, "FORCE");
                    }
                }
                default -> throw unreadable(o.table, "option " + w.text().toUpperCase(Locale.ROOT));
            }
        }
    }

    private static PlanRefusal unreadable(QualifiedName table, String what) {
        return PlanRefusal.notSupported("COPY of protected table " + table.toSql() + " refused: pgseal cannot read "
                + what + " with certainty");
    }

    /** The options as written; {@link #format} applies PostgreSQL's defaults and pgseal's limits. */
    private static final class Options {
        final QualifiedName table;
        boolean binary;
        Boolean csv;
        Boolean freeze;
        String delimiter;
        String nullString;
        CopyFormat.Header header;
        String quote;
        String escape;
        String encoding;
        boolean forceQuoteAll;
        Set<String> forceQuote;
        Set<String> forceNotNull;
        Set<String> forceNull;

        Options(QualifiedName table) {
            this.table = table;
        }

        /** {@code value}, unless the option was given before (PostgreSQL refuses that too). */
        <T> T once(T before, String option, T value) {
            if (before != null) {
                throw PlanRefusal.notSupported("COPY of protected table " + table.toSql() + " refused: option "
                        + option + " is given more than once");
            }
            return value;
        }

        CopyFormat format(StatementPlan.Copy.Direction direction) {
            String t = table.toSql();
            if (binary) {
                throw PlanRefusal.notSupported("COPY of protected table " + t + " in binary format refused: pgseal "
                        + "encrypts and decrypts COPY in text and CSV format only");
            }
            boolean isCsv = Boolean.TRUE.equals(csv);
            CopyFormat d = isCsv ? CopyFormat.csvDefaults() : CopyFormat.text();
            char delim = delimiter == null ? d.delimiter() : single(delimiter, "DELIMITER");
            String nul = nullString == null ? d.nullString() : nullString;
            if (!isAscii(nul)) {
                throw refuse("a NULL string with characters outside ASCII");
            }
            if (!isCsv && (quote != null || escape != null || forceQuote != null || forceNotNull != null
                    || forceNull != null)) {
                throw refuse("CSV options (QUOTE, ESCAPE, FORCE_...) in text format, which PostgreSQL rejects");
            }
            char q = quote == null ? d.quote() : single(quote, "QUOTE");
            char e = escape == null ? q : single(escape, "ESCAPE");
            if (delim == '\r' || delim == '\n' || q == '\r' || q == '\n' || e == '\r' || e == '\n') {
                throw refuse("a carriage return or newline as delimiter, quote or escape, which PostgreSQL rejects");
            }
            if (!isCsv && TEXT_DELIMITER_FORBIDDEN.indexOf(delim) >= 0) {
                throw refuse("DELIMITER '" + delim + "' in text format, which PostgreSQL rejects");
            }
            if (isCsv && delim == q) {
                throw refuse("the same character as delimiter and quote, which PostgreSQL rejects");
            }
            if (nul.indexOf(delim) >= 0 || nul.indexOf('\r') >= 0 || nul.indexOf('\n') >= 0
                    || isCsv && nul.indexOf(q) >= 0) {
                throw refuse("a NULL string holding the delimiter, quote or a line break, which PostgreSQL rejects");
            }
            CopyFormat.Header h = header == null ? CopyFormat.Header.NONE : header;
            if (h == CopyFormat.Header.MATCH && direction == StatementPlan.Copy.Direction.TO_CLIENT) {
                throw refuse("HEADER MATCH in COPY TO, which PostgreSQL rejects");
            }
            if (encoding != null && !isAscii(encoding)) {
                throw refuse("ENCODING '" + encoding + "'");
            }
            return new CopyFormat(isCsv, delim, nul, h, q, e, forceQuoteAll,
                    forceQuote == null ? Set.of() : forceQuote, forceNotNull == null ? Set.of() : forceNotNull,
                    forceNull == null ? Set.of() : forceNull, Optional.ofNullable(encoding));
        }

        private char single(String value, String option) {
            if (value.length() != 1 || value.charAt(0) >= 0x80) {
                throw refuse(option + " that is not a single ASCII character");
            }
            return value.charAt(0);
        }

        private PlanRefusal refuse(String what) {
            return PlanRefusal.notSupported("COPY of protected table " + table.toSql() + " refused: pgseal does not "
                    + "accept " + what);
        }

        private static boolean isAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A cursor over the statement's tokens. */
    private static final class Reader {
        private final List<SqlToken> tokens;
        private int at;

        Reader(List<SqlToken> tokens) {
            this.tokens = tokens;
        }

        boolean atEnd() {
            return at >= tokens.size();
        }

        SqlToken next() {
            return atEnd() ? null : tokens.get(at++);
        }

        boolean word(String w) {
            if (peekWord(w)) {
                at++;
                return true;
            }
            return false;
        }

        boolean peekWord(String w) {
            return !atEnd() && tokens.get(at).isWord(w);
        }

        boolean symbol(String s) {
            if (!atEnd() && tokens.get(at).isSymbol(s)) {
                at++;
                return true;
            }
            return false;
        }

        boolean peekKind(SqlToken.Kind kind) {
            return !atEnd() && tokens.get(at).kind() == kind;
        }

        List<SqlToken> rest() {
            List<SqlToken> r = tokens.subList(at, tokens.size());
            at = tokens.size();
            return r;
        }

        /** {@code a}, {@code a.b} or {@code a.b.c}; null when not a name. */
        List<String> qualifiedName() {
            if (atEnd() || !tokens.get(at).isName()) {
                return null;
            }
            List<String> names = new ArrayList<>(3);
            names.add(tokens.get(at++).text());
            while (names.size() < 3 && at + 1 < tokens.size() && tokens.get(at).isSymbol(".")
                    && tokens.get(at + 1).isName()) {
                names.add(tokens.get(at + 1).text());
                at += 2;
            }
            return names;
        }

        /** {@code name [, name …]}. */
        List<String> nameList(String table) {
            List<String> names = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            do {
                SqlToken n = next();
                if (n == null || !n.isName()) {
                    throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: pgseal cannot read "
                            + "a column list with certainty");
                }
                if (!seen.add(n.text())) {
                    throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: column "
                            + n.text() + " is listed twice");
                }
                names.add(n.text());
            } while (symbol(","));
            return names;
        }

        Set<String> parenthesizedNames(String table, String option) {
            if (!symbol("(")) {
                throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: pgseal cannot read "
                        + option + " with certainty");
            }
            List<String> names = nameList(table);
            if (!symbol(")")) {
                throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: pgseal cannot read "
                        + option + " with certainty");
            }
            return Set.copyOf(names);
        }

        /** A string constant (what PostgreSQL's {@code Sconst} takes). */
        String string(String table, String option) {
            SqlToken v = next();
            if (v == null || v.kind() != SqlToken.Kind.STRING) {
                throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: pgseal cannot read the "
                        + "value of " + option + " with certainty (write it as a string constant)");
            }
            return v.text();
        }

        /** {@code [AS] 'value'} of the old syntax. */
        String asString(String table, String option) {
            word("as");
            return string(table, option);
        }

        /** A generic option's word or string argument. */
        String word(String table, String option) {
            SqlToken v = next();
            if (v == null || !(v.isName() || v.kind() == SqlToken.Kind.STRING)) {
                throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: pgseal cannot read the "
                        + "value of " + option + " with certainty");
            }
            return v.text();
        }

        /** A boolean argument that may be left out (then true). */
        Boolean optionalBoolean(String table, String option) {
            if (atEnd() || tokens.get(at).isSymbol(",") || tokens.get(at).isSymbol(")")) {
                return Boolean.TRUE;
            }
            String v = next().text().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true", "on", "1" -> Boolean.TRUE;
                case "false", "off", "0" -> Boolean.FALSE;
                default -> throw PlanRefusal.notSupported("COPY of protected table " + table + " refused: pgseal "
                        + "cannot read the value of " + option + " with certainty");
            };
        }

        CopyFormat.Header header(String table) {
            if (!atEnd() && tokens.get(at).text().equalsIgnoreCase("match")
                    && tokens.get(at).kind() != SqlToken.Kind.NUMBER) {
                at++;
                return CopyFormat.Header.MATCH;
            }
            return optionalBoolean(table, "HEADER") ? CopyFormat.Header.PRESENT : CopyFormat.Header.NONE;
        }
    }
}
