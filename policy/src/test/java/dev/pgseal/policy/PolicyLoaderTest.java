package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.policy.yaml.Diagnostic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

    private static final String FULL = """
            version: 1
            keys:
              - name: patients
                rotation: 90d
                min_decryption_version: 2
              - name: spare
            tables:
              - name: Clinic.Patients
                primary_key: [id, '"Site"']
                columns:
                  - name: SSN
                    type: character varying(11)
                    encryption: deterministic
                    key: patients
                    readers: [App, '"Doctor"']
                    on_unauthorized: mask
                    mask: "***-**-{last4}"
                  - name: '"Notes"'
                    type: text
                    key: patients
                    readers: "*"
                    writers: [app]
              - name: '"Sales"."Orders"'
                columns:
                  - name: amount
                    type: integer
                    key: patients
                    readers: []
                    on_unauthorized: nullify
                  - name: memo
                    type: text
                    key: patients
                    readers: [app]
                    on_unauthorized: nullify
                    mask: "{last1}"
            """;

    @Test
    void loadsEveryPartWithPostgresIdentifierRules() {
        PolicyLoadResult result = PolicyLoader.parse(FULL, "p.yaml");
        assertThat(result.errors()).isEmpty();
        Policy policy = result.policy().orElseThrow();

        assertThat(policy.version()).isEqualTo(1);
        assertThat(policy.keyNames()).containsExactlyInAnyOrder("patients", "spare");
        assertThat(policy.key("patients")).contains(new KeyPolicy("patients", Optional.of(Duration.ofDays(90)), OptionalInt.of(2)));
        assertThat(policy.key("spare")).contains(KeyPolicy.manual("spare"));

        TablePolicy patients = policy.table("clinic", "patients").orElseThrow();
        assertThat(patients.primaryKey()).containsExactly("id", "Site");
        ColumnPolicy ssn = patients.column("ssn").orElseThrow();
        assertThat(ssn.type()).isEqualTo(LogicalType.parse("varchar(11)").orElseThrow());
        assertThat(ssn.encryption()).isEqualTo(Encryption.DETERMINISTIC);
        assertThat(ssn.readers()).isEqualTo(RoleSet.of(Set.of("app", "Doctor")));
        assertThat(ssn.writers()).isEqualTo(ssn.readers());
        assertThat(ssn.canRead("Doctor")).isTrue();
        assertThat(ssn.canRead("doctor")).isFalse();
        assertThat(ssn.onUnauthorized()).isEqualTo(OnUnauthorized.MASK);
        assertThat(ssn.mask().map(MaskPattern::text)).contains("***-**-{last4}");

        ColumnPolicy notes = patients.column("Notes").orElseThrow();
        assertThat(patients.column("notes")).isEmpty();
        assertThat(notes.encryption()).isEqualTo(Encryption.RANDOMIZED);
        assertThat(notes.readers().everyone()).isTrue();
        assertThat(notes.writers()).isEqualTo(RoleSet.of(Set.of("app")));
        assertThat(notes.onUnauthorized()).isEqualTo(OnUnauthorized.ERROR);

        TablePolicy orders = policy.table(new QualifiedName("Sales", "Orders")).orElseThrow();
        assertThat(policy.table("sales", "orders")).isEmpty();
        ColumnPolicy amount = orders.column("amount").orElseThrow();
        assertThat(amount.type()).isEqualTo(LogicalType.of(LogicalType.Kind.INT4));
        assertThat(amount.readers()).isEqualTo(RoleSet.none());
        assertThat(amount.canRead("anyone")).isFalse();
        assertThat(amount.mask()).isEmpty();
        assertThat(orders.column("memo").orElseThrow().mask()).as("a mask with another on_unauthorized mode is dropped")
                .isEmpty();
    }

    @Test
    void warnsAboutUnusedKeysTablesWithoutPrimaryKeyAndIgnoredMasks() {
        PolicyLoadResult result = PolicyLoader.parse(FULL, "p.yaml");
        assertThat(result.isValid()).isTrue();
        assertThat(result.warnings()).extracting(Diagnostic::toString).containsExactly(
                "p.yaml:6:11: warning: key 'spare' is used by no column",
                "p.yaml:23:5: warning: table '\"Sales\".\"Orders\"' has no primary_key: after a key rotation its"
                        + " existing rows cannot be re-encrypted in the background",
                "p.yaml:35:15: warning: mask on column 'memo' is ignored: on_unauthorized is 'nullify', not 'mask'");
    }

    @Test
    void reportsAllErrorsAtOnceInFileOrder() {
        String text = """
                version: 3
                keys:
                  - name: k
                    rotation: soon
                tables:
                  - name: t
                    primary_key: id
                    columns:
                      - name: c
                        type: txt
                        key: missing
                        readers: [app]
                        encrytion: randomized
                """;
        PolicyLoadResult result = PolicyLoader.parse(text, "p.yaml");
        assertThat(result.errors()).extracting(d -> d.line() + ":" + d.column()).containsExactly(
                "1:10", "4:15", "10:15", "11:14", "13:9");
        assertThat(result.errors()).allMatch(Diagnostic::isError);
    }

    @Test
    void loadsFromAFileAndNamesTheFileInDiagnostics(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "version: 1\nkeys: []\ntables: []\n");
        assertThat(PolicyLoader.load(file).policy()).contains(Policy.empty());

        Files.writeString(file, "version: 1\nversions: 1\n");
        assertThat(PolicyLoader.load(file).errors()).extracting(Diagnostic::toString)
                .containsExactly(file + ":2:1: unknown key 'versions' (did you mean 'version'?)");
    }

    @Test
    void reportsAMissingOrUnreadableFileAsAUserError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThat(PolicyLoader.load(missing).errors()).extracting(Diagnostic::toString)
                .containsExactly(missing + ": no such file");

        Path binary = dir.resolve("binary.yaml");
        Files.write(binary, new byte[] {'v', (byte) 0xC3, (byte) 0x28});
        assertThat(PolicyLoader.load(binary).errors()).extracting(Diagnostic::toString)
                .containsExactly(binary + ": the file is not valid UTF-8");
    }

    @Test
    void orElseThrowListsEveryError() {
        PolicyLoadResult result = PolicyLoader.parse("version: 2\nfoo: 1\n", "p.yaml");
        assertThatThrownBy(result::orElseThrow)
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessage("invalid policy p.yaml (2 errors):\n"
                        + "p.yaml:1:10: unsupported version 2; this pgseal reads version 1\n"
                        + "p.yaml:2:1: unknown key 'foo'; expected one of: version, databases, keys, tables");
    }

    @Test
    void changedTablesNamesAddedRemovedChangedAndKeyAffectedTables() {
        String base = """
                version: 1
                keys: [{name: a}, {name: b}]
                tables:
                  - {name: t1, primary_key: id, columns: [{name: c, type: text, key: a, readers: [x]}]}
                  - {name: t2, primary_key: id, columns: [{name: c, type: text, key: b, readers: [x]}]}
                  - {name: t3, primary_key: id, columns: [{name: c, type: text, key: b, readers: [x]}]}
                """;
        Policy before = PolicyLoader.parse(base, "p").orElseThrow();
        Policy after = PolicyLoader.parse(base
                .replace("{name: a}", "{name: a, rotation: 30d}")
                .replace("  - {name: t2, primary_key: id, columns: [{name: c, type: text, key: b, readers: [x]}]}\n", "")
                .replace("readers: [x]}]}\n", "readers: [x, y]}]}\n")
                + "  - {name: t4, primary_key: id, columns: [{name: c, type: text, key: b, readers: [x]}]}\n", "p")
                .orElseThrow();
        // t1 uses key a (rotation changed), t2 removed, t3 readers changed, t4 added
        assertThat(Policy.changedTables(before, after)).extracting(QualifiedName::name)
                .containsExactlyInAnyOrder("t1", "t2", "t3", "t4");
        assertThat(Policy.changedTables(before, before)).isEmpty();
        assertThat(List.of(before)).containsExactly(PolicyLoader.parse(base, "other").orElseThrow());
    }
}
