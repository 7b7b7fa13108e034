package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.policy.yaml.Diagnostic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code equality_group}: what the loader accepts, what it refuses (located), and reload reports. */
class EqualityGroupPolicyTest {

    /** Two deterministic text columns in group ssn under ring people; lines numbered for the cases. */
    private static final String BASE = """
            version: 1
            keys:
              - name: people
              - name: other
            tables:
              - name: patients
                primary_key: id
                columns:
                  - name: ssn
                    type: text
                    encryption: deterministic
                    key: people
                    readers: [app]
                    equality_group: ssn
              - name: claims
                primary_key: id
                columns:
                  - name: member_ssn
                    type: text
                    encryption: deterministic
                    key: people
                    readers: [app]
                    equality_group: ssn
                  - name: note
                    type: text
                    key: other
                    readers: [app]
            """;
    // line 14: patients.ssn's group (value at col 25); 23: claims.member_ssn's group (key at col 9,
    // value at col 25).

    private static String with(String from, String to) {
        int at = BASE.lastIndexOf(from);
        if (at < 0) {
            throw new IllegalArgumentException("no " + from);
        }
        return BASE.substring(0, at) + to + BASE.substring(at + from.length());
    }

    private static PolicyLoadResult load(String text) {
        return PolicyLoader.parse(text, "policy.yaml");
    }

    private static ColumnPolicy column(Policy p, String table, String column) {
        return p.table("public", table).orElseThrow().column(column).orElseThrow();
    }

    @Test
    void columnsOfOneGroupShareTheGroupAndTheirEnvelopes() {
        PolicyLoadResult result = load(BASE);
        assertThat(result.errors()).isEmpty();
        Policy p = result.policy().orElseThrow();
        ColumnPolicy ssn = column(p, "patients", "ssn");
        ColumnPolicy member = column(p, "claims", "member_ssn");
        assertThat(ssn.equalityGroup()).contains("ssn");
        assertThat(member.equalityGroup()).contains("ssn");
        assertThat(column(p, "claims", "note").equalityGroup()).isEmpty();
        QualifiedName patients = QualifiedName.parse("patients");
        QualifiedName claims = QualifiedName.parse("claims");
        assertThat(ssn.sharesEnvelopesWith(patients, member, claims)).isTrue();
        assertThat(ssn.sharesEnvelopesWith(patients, ssn, patients)).isTrue();
        assertThat(column(p, "claims", "note").sharesEnvelopesWith(claims, column(p, "claims", "note"), claims)).isTrue();
        assertThat(ssn.sharesEnvelopesWith(patients, column(p, "claims", "note"), claims)).isFalse();
    }

    @Test
    void ungroupedDeterministicColumnsOnOneRingDoNotShareEnvelopes() {
        Policy p = load(BASE.replace("        equality_group: ssn\n", "")).policy().orElseThrow();
        assertThat(column(p, "patients", "ssn").sharesEnvelopesWith(QualifiedName.parse("patients"),
                column(p, "claims", "member_ssn"), QualifiedName.parse("claims"))).isFalse();
    }

    @Test
    void aGroupOfOneColumnIsAllowed() {
        PolicyLoadResult result = load(with("        equality_group: ssn\n", ""));
        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).isEmpty();
        Policy p = result.policy().orElseThrow();
        assertThat(column(p, "patients", "ssn").equalityGroup()).contains("ssn");
        assertThat(column(p, "claims", "member_ssn").equalityGroup()).isEmpty();
    }

    @Test
    void groupNamesFoldToLowerCaseLikeUnquotedIdentifiers() {
        Policy p = load(with("equality_group: ssn", "equality_group: SSN")).policy().orElseThrow();
        assertThat(column(p, "claims", "member_ssn").equalityGroup()).contains("ssn");
        assertThat(column(p, "patients", "ssn").sharesEnvelopesWith(QualifiedName.parse("patients"),
                column(p, "claims", "member_ssn"), QualifiedName.parse("claims"))).isTrue();
    }

    @Test
    void validationShowsTheGroupInTextAndJson() {
        PolicyValidation v = PolicyValidation.of(load(BASE));
        assertThat(v.text()).contains("  ssn text deterministic key people equality_group ssn; readers: app")
                .contains("  note text randomized key other; readers: app")
                .contains("equality groups:\n  ssn: public.patients.ssn, public.claims.member_ssn\n")
                .contains("moving a column that holds values into, out of or between groups makes those values"
                        + " undecryptable");
        assertThat(PolicyValidation.of(load(BASE.replace("        equality_group: ssn\n", ""))).text())
                .doesNotContain("equality");
        assertThat(v.json()).contains("\"equality_group\" : \"ssn\"");
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("group on a randomized column",
                        with("        encryption: deterministic\n        key: people",
                                "        encryption: randomized\n        key: people"),
                        23, 25, "column 'member_ssn' of table 'public.claims' is in equality group 'ssn' but encrypted"
                                + " randomized; the columns of an equality group must be deterministic"),
                Arguments.of("group on a column randomized by default",
                        with("        encryption: deterministic\n", ""),
                        22, 25, "column 'member_ssn' of table 'public.claims' is in equality group 'ssn' but encrypted"
                                + " randomized (the default); the columns of an equality group must be deterministic"),
                Arguments.of("group across key rings", with("key: people", "key: other"),
                        23, 25, "column 'member_ssn' of table 'public.claims' is in equality group 'ssn' with column"
                                + " public.patients.ssn (line 14), but uses key 'other' where that column uses key"
                                + " 'people'; the columns of one equality group must use one key ring"),
                Arguments.of("group across types", with("type: text\n        encryption: deterministic",
                                "type: varchar(11)\n        encryption: deterministic"),
                        23, 25, "column 'member_ssn' of table 'public.claims' is in equality group 'ssn' with column"
                                + " public.patients.ssn (line 14), but has type varchar(11) where that column has type"
                                + " text; the columns of one equality group must have the same type"),
                Arguments.of("group name that is not an identifier", with("equality_group: ssn", "equality_group: ss-n"),
                        23, 25, "invalid equality_group 'ss-n' on column 'member_ssn' of table 'public.claims': a"
                                + " group name is an identifier (letters, digits and '_', starting with a letter or"
                                + " '_', at most 63)"),
                Arguments.of("group name starting with a digit", with("equality_group: ssn", "equality_group: 1ssn"),
                        23, 25, "invalid equality_group '1ssn' on column 'member_ssn' of table 'public.claims': a"
                                + " group name is an identifier (letters, digits and '_', starting with a letter or"
                                + " '_', at most 63)"),
                Arguments.of("group name longer than 63", with("equality_group: ssn", "equality_group: " + "g".repeat(64)),
                        23, 25, "invalid equality_group '" + "g".repeat(64) + "' on column 'member_ssn' of table"
                                + " 'public.claims': a group name is an identifier (letters, digits and '_', starting"
                                + " with a letter or '_', at most 63)"),
                Arguments.of("group as a list", with("equality_group: ssn", "equality_group: [ssn]"),
                        23, 25, "'equality_group' must be a single value, not a list"),
                Arguments.of("typo in the key", with("equality_group: ssn", "equality_grup: ssn"),
                        23, 9, "unknown key 'equality_grup' (did you mean 'equality_group'?)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void refusesABadGroupWithItsLocation(String name, String text, int line, int col, String message) {
        PolicyLoadResult result = load(text);
        assertThat(result.policy()).isEmpty();
        assertThat(result.errors()).extracting(Diagnostic::toString)
                .containsExactly("policy.yaml:" + line + ":" + col + ": " + message);
    }

    @Test
    void theModelRefusesAGroupOnARandomizedColumn() {
        assertThatThrownBy(() -> new ColumnPolicy("c", LogicalType.of(LogicalType.Kind.TEXT), Encryption.RANDOMIZED,
                "k", RoleSet.all(), RoleSet.all(), OnUnauthorized.ERROR, Optional.empty(), Optional.of("g")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bindingChangesListColumnsThatJoinedLeftOrSwitchedAGroup() {
        Policy before = load(BASE).policy().orElseThrow();
        Policy after = load(with("equality_group: ssn", "equality_group: member")
                .replaceFirst("        equality_group: ssn\n", "")
                .replace("        key: other\n        readers: [app]\n",
                        "        key: other\n        readers: [app]\n")).policy().orElseThrow();
        List<BindingChange> changes = BindingChange.between(before, after);
        assertThat(changes).containsExactly(
                new BindingChange(QualifiedName.parse("patients"), "ssn", Optional.of("ssn"), Optional.empty()),
                new BindingChange(QualifiedName.parse("claims"), "member_ssn", Optional.of("ssn"), Optional.of("member")));
        assertThat(changes.get(0).describe()).isEqualTo("column public.patients.ssn now binds its own identity (no"
                + " equality group) instead of equality group 'ssn': envelopes it holds from before the change no"
                + " longer decrypt; rewrite its values through pgseal (read them under the old policy, write them"
                + " under the new one) or revert the change");
        assertThat(BindingChange.between(before, before)).isEmpty();
    }

    @Test
    void aReloadThatMovesAColumnIntoAGroupReportsTheBindingChange(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        String ungrouped = BASE.replace("        equality_group: ssn\n", "");
        Files.writeString(file, ungrouped);
        try (PolicyWatcher watcher = PolicyWatcher.start(file, Duration.ofMillis(50), false)) {
            Files.writeString(file, BASE);
            ReloadOutcome outcome = watcher.reload();
            assertThat(outcome).isInstanceOf(ReloadOutcome.Applied.class);
            ReloadOutcome.Applied applied = (ReloadOutcome.Applied) outcome;
            assertThat(applied.changedTables()).containsExactlyInAnyOrder(QualifiedName.parse("patients"),
                    QualifiedName.parse("claims"));
            assertThat(applied.bindingChanges()).extracting(BindingChange::column).containsExactly("ssn", "member_ssn");
            assertThat(applied.bindingChanges()).allSatisfy(c -> {
                assertThat(c.before()).isEmpty();
                assertThat(c.after()).contains("ssn");
            });
        }
    }
}
