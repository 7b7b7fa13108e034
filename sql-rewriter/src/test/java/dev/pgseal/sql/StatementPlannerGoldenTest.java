package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.sql.lex.LexSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden cases of the planner: each case in {@code golden/planner.txt} is a SQL string and the plan
 * it must get, in {@link PlannerFixture#render}'s format (rewritten text with encrypted literals shown
 * as {@code <enc USE column 'value'>}, parameter plans, result origins and rings; or {@code pass};
 * or the refusal's SQLSTATE and message). A case reads:
 *
 * <pre>
 * === name
 * SQL (one or more lines)
 * ---
 * expected plan
 * </pre>
 *
 * Run with {@code -Dpgseal.golden.update=true} to print the actual plans of failing cases.
 */
class StatementPlannerGoldenTest {

    private static final StatementPlanner PLANNER = StatementPlanner.of(PlannerFixture.POLICY);

    record Case(String sql, String expected) {
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String file : List.of("golden/planner.txt")) {
            String text;
            try (InputStream in = StatementPlannerGoldenTest.class.getClassLoader().getResourceAsStream(file)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String block : text.split("(?m)^=== ")) {
                if (block.isBlank() || block.startsWith("#")) {
                    continue;
                }
                int nl = block.indexOf('\n');
                String name = block.substring(0, nl).trim();
                String rest = block.substring(nl + 1);
                int sep = rest.indexOf("\n---\n");
                String sql = rest.substring(0, sep).replace("\\t", "\t").replace("\\r", "\r").replace("\\n", "\n");
                String expected = rest.substring(sep + 5).replaceAll("\\n+$", "") + "\n";
                out.add(Arguments.of(Named.of(name, new Case(sql, expected))));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void planMatchesGolden(Case c) throws IOException {
        StatementPlan plan = PLANNER.plan(c.sql(), LexSettings.STANDARD, PlannerFixture.CATALOG);
        String actual = PlannerFixture.render(c.sql(), plan);
        if (Boolean.getBoolean("pgseal.golden.update") && !actual.equals(c.expected())) {
            Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "golden-actual.txt"),
                    "=== " + c.sql() + "\n---\n" + actual + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        assertThat(actual).isEqualTo(c.expected());
    }
}
