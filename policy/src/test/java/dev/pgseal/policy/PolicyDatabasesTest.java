package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The policy's {@code databases:}: what it loads to, and which databases it covers. */
class PolicyDatabasesTest {

    private static final String TABLES = """
            keys: [{name: k}]
            tables:
              - name: t
                primary_key: id
                columns: [{name: c, type: text, key: k, readers: [app]}]
            """;

    private static Policy load(String databasesLine) {
        return PolicyLoader.parse("version: 1\n" + databasesLine + TABLES, "p.yaml").orElseThrow();
    }

    @Test
    void loadsTheNamesExactlyAsWrittenInOrder() {
        Policy policy = load("databases: [clinic, \"Billing\", 'Mixed Case', 2024]\n");
        // no identifier folding: a client names its database in the startup packet, not in SQL
        assertThat(policy.databases()).contains(List.of("clinic", "Billing", "Mixed Case", "2024"));
    }

    @Test
    void anOmittedListIsEmptyNotAnEmptyList() {
        assertThat(load("").databases()).isEmpty();
        assertThat(load("databases: ~\n").databases()).as("YAML null reads as omitted").isEmpty();
    }

    static Stream<Arguments> coverage() {
        Optional<List<String>> every = Optional.empty();
        Optional<List<String>> listed = Optional.of(List.of("clinic", "Billing"));
        return Stream.of(
                Arguments.of(every, "clinic", "pgseal_store", true),
                Arguments.of(every, "anything", "pgseal_store", true),
                Arguments.of(every, "pgseal_store", "pgseal_store", false),
                Arguments.of(listed, "clinic", "pgseal_store", true),
                Arguments.of(listed, "Billing", "pgseal_store", true),
                Arguments.of(listed, "billing", "pgseal_store", false),
                Arguments.of(listed, "postgres", "pgseal_store", false),
                Arguments.of(Optional.of(List.of("clinic", "pgseal_store")), "pgseal_store", "pgseal_store", false));
    }

    @ParameterizedTest(name = "databases {0}, store {2}: covers {1} = {3}")
    @MethodSource("coverage")
    void coversListedDatabasesOrEveryDatabaseButNeverTheStores(Optional<List<String>> databases, String database,
            String store, boolean covered) {
        Policy policy = new Policy(1, databases, List.of(), List.of());
        assertThat(policy.covers(database, store)).isEqualTo(covered);
    }

    @Test
    void refusesAnEmptyOrDuplicatedListInTheModel() {
        assertThatThrownBy(() -> new Policy(1, Optional.of(List.of()), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Policy(1, Optional.of(List.of("a", "a")), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void policiesThatDifferOnlyInDatabasesAreNotEqual() {
        assertThat(load("databases: [a]\n")).isNotEqualTo(load("databases: [b]\n")).isNotEqualTo(load(""));
        assertThat(load("databases: [a]\n")).isEqualTo(load("databases: [a]\n"))
                .hasSameHashCodeAs(load("databases: [a]\n"));
    }

    @Test
    void theJsonSchemaAcceptsAListAndRefusesWhatTheLoaderRefusesByShape() {
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(PolicySchema.text());
        var yaml = new Load(LoadSettings.builder().build());
        var json = new ObjectMapper();
        java.util.function.Function<String, Integer> problems = line -> schema.validate(
                json.valueToTree(yaml.loadFromString("version: 1\n" + line + TABLES))).size();
        assertThat(problems.apply("databases: [clinic, billing]\n")).isZero();
        assertThat(problems.apply("databases: clinic\n")).isPositive();
        assertThat(problems.apply("databases: []\n")).isPositive();
        assertThat(problems.apply("databases: [clinic, clinic]\n")).isPositive();
        assertThat(problems.apply("databases: ['']\n")).isPositive();
    }
}
