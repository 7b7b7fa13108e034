package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PolicyValidationTest {

    private static final String VALID = """
            version: 1
            keys:
              - name: k
                rotation: 2w
            tables:
              - name: t
                primary_key: id
                columns:
                  - name: ssn
                    type: text
                    encryption: deterministic
                    key: k
                    readers: [app]
                    on_unauthorized: mask
                    mask: "***-**-{last4}"
            """;

    @Test
    void summarizesAValidPolicyAndExitsZero() {
        PolicyValidation v = PolicyValidation.of(PolicyLoader.parse(VALID, "p.yaml"));
        assertThat(v.exitCode()).isZero();
        assertThat(v.text()).isEqualTo("""
                p.yaml: valid (version 1): 1 table, 1 protected column, 1 key
                databases: every database except the key store's
                keys:
                  k: rotation 2w
                table public.t (primary key id)
                  ssn text deterministic key k; readers: app; writers: app; others: mask "***-**-{last4}"
                """);
    }

    @Test
    void summaryNamesTheDatabasesAPolicyLists() throws Exception {
        PolicyValidation v = PolicyValidation.of(PolicyLoader.parse(
                VALID.replace("version: 1\n", "version: 1\ndatabases: [clinic, \"Billing\"]\n"), "p.yaml"));
        assertThat(v.text()).contains("\ndatabases: clinic, Billing\n");
        JsonNode json = new ObjectMapper().readTree(v.json());
        assertThat(json.at("/summary/databases/0").asText()).isEqualTo("clinic");
        assertThat(json.at("/summary/databases/1").asText()).isEqualTo("Billing");
        JsonNode every = new ObjectMapper().readTree(PolicyValidation.of(PolicyLoader.parse(VALID, "p.yaml")).json());
        assertThat(every.at("/summary/databases").isNull()).as("null: every database but the store's").isTrue();
    }

    @Test
    void listsEveryErrorAndExitsOne() {
        PolicyValidation v = PolicyValidation.of(PolicyLoader.parse(
                VALID.replace("type: text", "type: txt").replace("key: k\n", "key: kk\n"), "p.yaml"));
        assertThat(v.exitCode()).isEqualTo(1);
        assertThat(v.text()).isEqualTo("""
                p.yaml:10:15: unknown type 'txt' (did you mean 'text'?)
                p.yaml:12:14: column 'ssn' uses key 'kk', which is not declared under 'keys' (did you mean 'k'?)
                p.yaml:3:11: warning: key 'k' is used by no column
                p.yaml: invalid, 2 errors
                """);
    }

    @Test
    void printsMachineReadableJson() throws Exception {
        JsonNode invalid = new ObjectMapper().readTree(PolicyValidation.of(PolicyLoader.parse(
                VALID.replace("version: 1", "version: 7"), "p.yaml")).json());
        assertThat(invalid.get("valid").asBoolean()).isFalse();
        assertThat(invalid.get("errors")).hasSize(1);
        JsonNode error = invalid.get("errors").get(0);
        assertThat(error.get("file").asText()).isEqualTo("p.yaml");
        assertThat(error.get("line").asInt()).isEqualTo(1);
        assertThat(error.get("column").asInt()).isEqualTo(10);
        assertThat(error.get("severity").asText()).isEqualTo("error");
        assertThat(error.get("message").asText()).isEqualTo("unsupported version 7; this pgseal reads version 1");
        assertThat(invalid.has("summary")).isFalse();

        JsonNode valid = new ObjectMapper().readTree(PolicyValidation.of(PolicyLoader.parse(VALID, "p.yaml")).json());
        assertThat(valid.get("valid").asBoolean()).isTrue();
        assertThat(valid.at("/summary/tables").asInt()).isEqualTo(1);
        assertThat(valid.at("/summary/key_list/0/rotation").asText()).isEqualTo("2w");
        assertThat(valid.at("/summary/table_list/0/columns/0/mask").asText()).isEqualTo("***-**-{last4}");
        assertThat(valid.at("/summary/table_list/0/columns/0/readers/0").asText()).isEqualTo("app");
    }

    @Test
    void shipsAJsonSchemaForEditors() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(PolicySchema.text());
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.at("/$defs/column/properties/encryption/enum")).hasSize(2);
    }
}
