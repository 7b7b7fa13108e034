package dev.pgseal.sql;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.KeyPolicy;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.RoleSet;
import dev.pgseal.policy.TablePolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The policy and catalog the planner tests run against, and a readable rendering of plans.
 *
 * <p>Policy: {@code public.customers} (ssn deterministic and name randomized under ring
 * {@code people}, email deterministic under ring {@code contact}), {@code public.orders} (ssn
 * deterministic under {@code people}, in no equality group), and {@code public.accounts}
 * (iban deterministic under {@code bank}), whose name schema {@code app} also holds. Equality
 * groups: {@code public.patients.ssn}, {@code public.claims.patient_ssn} and
 * {@code public.claims.payer_ssn} are in group {@code ssn} (ring {@code people}); payer_ssn has
 * other readers ({@code billing}) and {@code claims.tax_id} is in group {@code tax} (same ring).
 */
final class PlannerFixture {

    static final Policy POLICY = new Policy(1,
            List.of(KeyPolicy.manual("people"), KeyPolicy.manual("contact"), KeyPolicy.manual("bank")),
            List.of(table("public", "customers", List.of("id"),
                            column("ssn", "text", Encryption.DETERMINISTIC, "people"),
                            column("name", "text", Encryption.RANDOMIZED, "people"),
                            column("email", "varchar(200)", Encryption.DETERMINISTIC, "contact")),
                    table("public", "orders", List.of("id"),
                            column("ssn", "text", Encryption.DETERMINISTIC, "people")),
                    table("public", "accounts", List.of("id"),
                            column("iban", "text", Encryption.DETERMINISTIC, "bank")),
                    table("public", "patients", List.of("id"),
                            grouped("ssn", "ssn", RoleSet.all())),
                    table("public", "claims", List.of("id"),
                            grouped("patient_ssn", "ssn", RoleSet.all()),
                            grouped("payer_ssn", "ssn", RoleSet.of(Set.of("billing"))),
                            grouped("tax_id", "tax", RoleSet.all()))));

    private static final Map<QualifiedName, List<String>> TABLES = Map.of(
            new QualifiedName("public", "customers"), List.of("id", "ssn", "name", "email", "note"),
            new QualifiedName("public", "orders"), List.of("id", "customer_id", "ssn", "total"),
            new QualifiedName("public", "accounts"), List.of("id", "iban"),
            new QualifiedName("app", "accounts"), List.of("id", "iban", "owner"),
            new QualifiedName("public", "products"), List.of("id", "title", "price"),
            new QualifiedName("public", "archive"), List.of("id", "ssn", "name"),
            new QualifiedName("public", "patients"), List.of("id", "ssn", "name"),
            new QualifiedName("public", "claims"), List.of("id", "patient_ssn", "payer_ssn", "tax_id", "amount"));

    /** The test database's catalog. */
    static final CatalogView CATALOG = new CatalogView() {
        @Override
        public Optional<List<String>> columns(QualifiedName table) {
            return Optional.ofNullable(TABLES.get(table));
        }

        @Override
        public Set<String> schemasHolding(String name) {
            return TABLES.keySet().stream().filter(q -> q.name().equals(name)).map(QualifiedName::schema)
                    .collect(Collectors.toSet());
        }
    };

    private PlannerFixture() {
    }

    private static TablePolicy table(String schema, String name, List<String> pk, ColumnPolicy... columns) {
        return new TablePolicy(new QualifiedName(schema, name), pk, List.of(columns));
    }

    private static ColumnPolicy column(String name, String type, Encryption encryption, String key) {
        return new ColumnPolicy(name, LogicalType.parse(type).orElseThrow(), encryption, key, RoleSet.all(),
                RoleSet.all(), OnUnauthorized.ERROR, Optional.empty());
    }

    private static ColumnPolicy grouped(String name, String group, RoleSet readers) {
        return new ColumnPolicy(name, LogicalType.parse("text").orElseThrow(), Encryption.DETERMINISTIC, "people",
                readers, readers, OnUnauthorized.ERROR, Optional.empty(), Optional.of(group));
    }

    /** {@code sql} with the plan's edits applied; encrypted literals shown as {@code <enc USE column 'value'>}. */
    static String applied(String sql, StatementPlan.Rewrite plan) {
        StringBuilder out = new StringBuilder(sql);
        List<TextEdit> edits = plan.edits();
        for (int i = edits.size() - 1; i >= 0; i--) {
            TextEdit e = edits.get(i);
            StringBuilder with = new StringBuilder();
            for (Splice s : e.pieces()) {
                if (s instanceof Splice.Text t) {
                    with.append(t.sql());
                } else if (s instanceof Splice.Parameter p) {
                    with.append('$').append(p.number());
                } else {
                    Splice.Encrypted enc = (Splice.Encrypted) s;
                    with.append("<enc ").append(enc.use()).append(' ').append(enc.target().describe()).append(' ')
                            .append(enc.value().map(v -> "'" + v.replace("'", "''") + "'").orElse("NULL")).append('>');
                }
            }
            out.replace(e.start(), e.end(), with.toString());
        }
        return out.toString();
    }

    /**
     * A COPY plan: direction and table, the stream's columns (protected ones marked {@code *}), the
     * format with PostgreSQL's defaults filled in (tab, CR and LF written as escapes), and the rings.
     */
    static String renderCopy(StatementPlan.Copy c) {
        StringBuilder out = new StringBuilder("copy ")
                .append(c.direction() == StatementPlan.Copy.Direction.FROM_CLIENT ? "from client " : "to client ")
                .append(c.table().toSql()).append(" (")
                .append(c.columns().stream().map(col -> col.name() + (col.target().isPresent() ? "*" : ""))
                        .collect(Collectors.joining(", ")))
                .append(")\n");
        CopyFormat f = c.format();
        out.append("format ").append(f.csv() ? "csv" : "text").append(" delimiter '").append(shown(f.delimiter()))
                .append("' null '").append(shown(f.nullString())).append("' header ")
                .append(f.header().name().toLowerCase(java.util.Locale.ROOT));
        if (f.csv()) {
            out.append(" quote '").append(shown(f.quote())).append("' escape '").append(shown(f.escape())).append('\'');
        }
        if (f.forceQuoteAll()) {
            out.append(" force_quote *");
        }
        appendNames(out, "force_quote", f.forceQuote());
        appendNames(out, "force_not_null", f.forceNotNull());
        appendNames(out, "force_null", f.forceNull());
        f.encoding().ifPresent(e -> out.append(" encoding '").append(e).append('\''));
        out.append('\n');
        out.append("rings ").append(c.rings().stream().sorted().collect(Collectors.joining(", "))).append('\n');
        return out.toString();
    }

    private static void appendNames(StringBuilder out, String option, Set<String> names) {
        if (!names.isEmpty()) {
            out.append(' ').append(option).append(" (").append(names.stream().sorted()
                    .collect(Collectors.joining(", "))).append(')');
        }
    }

    private static String shown(char c) {
        return shown(String.valueOf(c));
    }

    private static String shown(String s) {
        return s.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n");
    }

    /** The plan in the golden files' format. */
    static String render(String sql, StatementPlan plan) {
        if (plan instanceof StatementPlan.PassThrough) {
            return "pass\n";
        }
        if (plan instanceof StatementPlan.Refused r) {
            return "refused " + r.sqlState() + ": " + r.message() + "\n";
        }
        if (plan instanceof StatementPlan.Copy c) {
            return renderCopy(c);
        }
        StatementPlan.Rewrite rw = (StatementPlan.Rewrite) plan;
        StringBuilder out = new StringBuilder();
        String applied = applied(sql, rw);
        out.append(applied.equals(sql) ? "unchanged\n"
                : "rewritten: " + applied.replace("\t", "\\t").replace("\r", "\\r") + "\n");
        for (ParameterPlan p : rw.parameters()) {
            out.append("param $").append(p.number()).append(' ').append(p.use()).append(' ')
                    .append(p.target().describe()).append('\n');
        }
        for (ResultOrigin r : rw.results()) {
            out.append("result ").append(r.statement()).append(':').append(r.column()).append(' ')
                    .append(r.target().describe()).append('\n');
        }
        out.append("rings ").append(rw.rings().stream().sorted().collect(Collectors.joining(", "))).append('\n');
        return out.toString();
    }
}
