package dev.pgseal.bench.sql;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.StatementPlanner;
import dev.pgseal.sql.lex.LexSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The statement planner on a typical INSERT and SELECT: a plan-cache hit (target ≤ 5 µs) and an
 * uncached plan — screen, parse, analysis — (target ≤ 150 µs). Each call sees a fresh String, as a
 * decoded protocol message is, so its hash is computed anew; the uncached case makes every text
 * unique with a trailing comment. Run: {@code java -jar benchmarks/target/benchmarks.jar PlannerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PlannerBenchmark {

    private static final String POLICY = """
            version: 1
            keys: [{name: people}, {name: contact}]
            tables:
              - name: public.customers
                primary_key: id
                columns:
                  - {name: ssn, type: text, encryption: deterministic, key: people, readers: "*"}
                  - {name: name, type: text, encryption: randomized, key: people, readers: "*"}
                  - {name: email, type: varchar(200), encryption: deterministic, key: contact, readers: "*"}
            """;

    private static final Map<String, String> STATEMENTS = Map.of(
            "insert", "INSERT INTO customers (id, ssn, name, email, note) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            "select", "SELECT c.id, c.name, o.total FROM customers c JOIN orders o ON o.customer_id = c.id"
                    + " WHERE c.email = $1 AND o.total > $2 ORDER BY o.total DESC LIMIT 20");

    private static final Map<QualifiedName, List<String>> TABLES = Map.of(
            new QualifiedName("public", "customers"), List.of("id", "ssn", "name", "email", "note"),
            new QualifiedName("public", "orders"), List.of("id", "customer_id", "total"));

    @Param({"insert", "select"})
    public String statement;

    private StatementPlanner planner;
    private CatalogView catalog;
    private char[] text;
    private long unique;

    @Setup
    public void setUp() {
        Policy policy = PolicyLoader.parse(POLICY, "bench-policy.yaml").policy().orElseThrow();
        planner = StatementPlanner.of(policy);
        catalog = new CatalogView() {
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
        text = STATEMENTS.get(statement).toCharArray();
        if (!(planner.plan(new String(text), LexSettings.STANDARD, catalog) instanceof StatementPlan.Rewrite)) {
            throw new IllegalStateException("the benchmark statement is not rewritten: " + statement);
        }
    }

    @Benchmark
    public StatementPlan cacheHit() {
        return planner.plan(new String(text), LexSettings.STANDARD, catalog);
    }

    @Benchmark
    public StatementPlan uncached() {
        return planner.plan(new String(text) + " -- " + unique++, LexSettings.STANDARD, catalog);
    }
}
