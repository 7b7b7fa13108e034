package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.policy.QualifiedName;
import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties of every plan and of the planner's cache. */
class StatementPlannerTest {

    private static final StatementPlanner PLANNER = StatementPlanner.of(PlannerFixture.POLICY);

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() throws Exception {
        return StatementPlannerGoldenTest.cases();
    }

    /**
     * Every edit starts and ends on a token boundary of the client's text and re-emits each {@code $n}
     * it replaces verbatim, so everything outside the rewritten construct (whitespace, comments, other
     * tokens) reaches PostgreSQL byte for byte.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void editsReplaceWholeTokensAndKeepParameters(StatementPlannerGoldenTest.Case c) {
        StatementPlan plan = PLANNER.plan(c.sql(), LexSettings.STANDARD, PlannerFixture.CATALOG);
        if (!(plan instanceof StatementPlan.Rewrite rw)) {
            return;
        }
        List<SqlToken> tokens = SqlLexer.tokenize(c.sql(), LexSettings.STANDARD);
        int previousEnd = 0;
        StringBuilder kept = new StringBuilder();
        for (TextEdit e : rw.edits()) {
            assertThat(e.start()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(tokens).anyMatch(t -> t.start() == e.start());
            assertThat(tokens).anyMatch(t -> t.end() == e.end());
            kept.append(c.sql(), previousEnd, e.start());
            String emitted = e.pieces().stream()
                    .map(p -> p instanceof Splice.Text t ? t.sql() : p instanceof Splice.Parameter n ? "$" + n.number() : "")
                    .reduce("", String::concat);
            for (SqlToken t : tokens) {
                if (t.start() >= e.start() && t.end() <= e.end() && t.kind() == SqlToken.Kind.PARAMETER) {
                    assertThat(emitted).contains(c.sql().substring(t.start(), t.end()));
                }
                if (t.start() >= e.start() && t.end() <= e.end() && t.kind() == SqlToken.Kind.STRING) {
                    // A literal inside an edit is always replaced by its envelope, never sent as text.
                    assertThat(emitted).doesNotContain(c.sql().substring(t.start(), t.end()));
                }
            }
            previousEnd = e.end();
        }
        kept.append(c.sql().substring(previousEnd));
        String applied = PlannerFixture.applied(c.sql(), rw);
        assertThat(applied).startsWith(c.sql().substring(0, rw.edits().isEmpty() ? 0 : rw.edits().get(0).start()));
        assertThat(applied).endsWith(c.sql().substring(previousEnd));
    }

    @Test
    void cacheReturnsTheSamePlanForTheSameTextAndCatalog() {
        String sql = "SELECT id FROM customers WHERE ssn = $1";
        StatementPlan first = PLANNER.plan(sql, LexSettings.STANDARD, PlannerFixture.CATALOG);
        assertThat(PLANNER.plan(new String(sql), LexSettings.STANDARD, PlannerFixture.CATALOG)).isSameAs(first);
    }

    @Test
    void newCatalogSnapshotIsPlannedAgain() {
        String sql = "SELECT id FROM accounts WHERE iban = $1";
        CatalogView onlyPublic = new CatalogView() {
            @Override
            public Optional<List<String>> columns(QualifiedName table) {
                return PlannerFixture.CATALOG.columns(table);
            }

            @Override
            public Set<String> schemasHolding(String name) {
                return name.equals("accounts") ? Set.of("public") : PlannerFixture.CATALOG.schemasHolding(name);
            }
        };
        assertThat(PLANNER.plan(sql, LexSettings.STANDARD, PlannerFixture.CATALOG))
                .isInstanceOf(StatementPlan.Refused.class);
        assertThat(PLANNER.plan(sql, LexSettings.STANDARD, onlyPublic)).isInstanceOf(StatementPlan.Rewrite.class);
    }

    @Test
    void legacyStringsAreReadAsPostgresReadsThem() {
        // standard_conforming_strings off: the backslash escapes the quote, so the value is a'b.
        String sql = "INSERT INTO customers (id, ssn) VALUES (1, 'a\\'b')";
        StatementPlan plan = PLANNER.plan(sql, LexSettings.LEGACY, PlannerFixture.CATALOG);
        assertThat(PlannerFixture.render(sql, plan))
                .startsWith("rewritten: INSERT INTO customers (id, ssn) VALUES (1, <enc STORE public.customers.ssn 'a''b'>)");
    }

    @Test
    void refusalMessagesAreAsciiAndCarryNoValue() throws Exception {
        String sql = "SELECT id FROM customers WHERE ssn LIKE 'sécret-123%'";
        StatementPlan plan = PLANNER.plan(sql, LexSettings.STANDARD, PlannerFixture.CATALOG);
        assertThat(plan).isInstanceOf(StatementPlan.Refused.class);
        String message = ((StatementPlan.Refused) plan).message();
        assertThat(message).doesNotContain("cret-123").matches("[\\x20-\\x7e]*");
    }
}
