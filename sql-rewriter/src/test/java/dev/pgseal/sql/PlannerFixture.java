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
 * deterministic under {@code people}, so it joins with customers.ssn), and {@code public.accounts}
 * (iban deterministic under {@code bank}), whose name schema {@code app} also holds.
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
                            column("iban", "text", Encryption.DETERMINISTIC, "bank"))));

    private static final Map<QualifiedName, List<String>> TABLES = Map.of(
            new QualifiedName("public", "customers"), List.of("id", "ssn", "name", "email", "note"),
            new QualifiedName("public", "orders"), List.of("id", "customer_id", "ssn", "total"),
            new QualifiedName("public", "accounts"), List.of("id", "iban"),
            new QualifiedName("app", "accounts"), List.of("id", "iban", "owner"),
            new QualifiedName("public", "products"), List.of("id", "title", "price"),
            new QualifiedName("public", "archive"), List.of("id", "ssn", "name"));

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

    /** The plan in the golden files' format. */
    static String render(String sql, StatementPlan plan) {
        if (plan instanceof StatementPlan.PassThrough) {
            return "pass\n";
        }
        if (plan instanceof StatementPlan.Refused r) {
            return "refused " + r.sqlState() + ": " + r.message() + "\n";
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
