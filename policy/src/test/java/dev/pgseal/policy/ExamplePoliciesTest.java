package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.pgseal.policy.yaml.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Every example policy loads without errors and satisfies the shipped JSON Schema. */
class ExamplePoliciesTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("basedir", "."), "..", "examples").normalize();
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(PolicySchema.text());

    /** Every file under examples/policies/, and the demo's policy (examples/ holds server configs too). */
    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES.resolve("policies"))) {
            return Stream.concat(files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream(),
                    Stream.of(EXAMPLES.resolve("demo/policy.yaml")));
        }
    }

    private static Set<ValidationMessage> validate(String yaml) {
        Object data = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        JsonNode json = new ObjectMapper().valueToTree(data);
        return SCHEMA.validate(json);
    }

    @Test
    void findsTheExamples() throws IOException {
        assertThat(examples().map(p -> EXAMPLES.relativize(p).toString().replace('\\', '/')))
                .contains("policies/patients.yaml", "policies/payments.yaml", "policies/pgbench.yaml", "demo/policy.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void loadsWithoutErrors(Path example) {
        PolicyLoadResult result = PolicyLoader.load(example);
        assertThat(result.errors()).isEmpty();
        assertThat(result.policy().orElseThrow().tables()).isNotEmpty();
        // the only accepted warning: pgbench_history has no primary key
        assertThat(result.warnings()).extracting(Diagnostic::message)
                .allMatch(m -> m.contains("pgbench_history") && m.contains("no primary_key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void satisfiesTheJsonSchema(Path example) throws IOException {
        assertThat(validate(Files.readString(example))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void validatesAgainWhenPrintedAsJsonSummary(Path example) throws IOException {
        // round trip: the validation JSON of an example names every column the file declares
        Policy policy = PolicyLoader.load(example).orElseThrow();
        JsonNode json = new ObjectMapper().readTree(PolicyValidation.of(example).json());
        assertThat(json.get("valid").asBoolean()).isTrue();
        assertThat(json.at("/summary/columns").asInt()).isEqualTo(policy.columnCount());
    }

    @Test
    void schemaRefusesWhatTheLoaderRefusesByShape() {
        String typo = """
                version: 1
                keys: [{name: k}]
                tables:
                  - name: t
                    columns: [{name: c, type: text, key: k, readers: [a], encrytion: deterministic}]
                """;
        assertThat(validate(typo)).isNotEmpty();
        assertThat(validate(typo.replace("encrytion", "encryption"))).isEmpty();
        assertThat(validate(typo.replace("encrytion: deterministic", "on_unauthorized: mask"))).isNotEmpty();
        assertThat(validate(typo.replace("version: 1", "version: 2").replace("encrytion", "encryption"))).isNotEmpty();
    }

    @Test
    void demoSchemaDeclaresEveryProtectedColumnAsBytea() throws IOException {
        String sql = Files.readString(EXAMPLES.resolve("demo/schema.sql"));
        Policy policy = PolicyLoader.load(EXAMPLES.resolve("demo/policy.yaml")).orElseThrow();
        for (ColumnPolicy c : policy.table("public", "customers").orElseThrow().columns()) {
            assertThat(sql).containsPattern("(?m)^\\s+" + c.name() + "\\s+bytea");
        }
    }
}
