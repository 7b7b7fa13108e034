package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.QualifiedName;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementScreenTest {

    private static final Policy POLICY = PolicyLoader.parse("""
            version: 1
            keys:
              - name: k
            tables:
              - name: public.patients
                primary_key: id
                columns:
                  - name: ssn
                    type: text
                    encryption: deterministic
                    key: k
                    readers: ["*"]
              - name: '"Billing"."Cards"'
                primary_key: id
                columns:
                  - name: pan
                    type: text
                    encryption: deterministic
                    key: k
                    readers: ["*"]
            """, "inline.yaml").orElseThrow();

    private static final StatementScreen SCREEN = StatementScreen.of(POLICY);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "select 1                                            | ''",
            "select * from patients                              | public.patients",
            "SELECT * FROM PATIENTS                              | public.patients",
            "select * from public.patients p                     | public.patients",
            "select * from \"public\".\"patients\"               | public.patients",
            "select * from other.patients                        | ''",
            "select * from \"Patients\"                          | ''",
            "select 'patients' from t                            | ''",
            "select 1 -- from patients                           | ''",
            "select /* patients /* nested */ */ 1                | ''",
            "select $$ from patients $$                          | ''",
            "select $x$ patients $x$, $1 from t                  | ''",
            "select E'it\\'s patients' from t                    | ''",
            "insert into patients(ssn) values ($1)               | public.patients",
            "select 1; update patients set ssn = null            | public.patients",
            "select * from \"Billing\".\"Cards\"                 | \"Billing\".\"Cards\"",
            "select * from billing.cards                         | ''",
            "select p.ssn from t join patients p on p.id = t.id | public.patients",
    })
    void findsTheProtectedTablesAStatementMentions(String sql, String expected) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        Set<String> found = s.protectedTables().stream().map(QualifiedName::toSql).collect(Collectors.toSet());
        Set<String> want = expected.isEmpty() ? Set.of() : Set.of(expected);
        assertThat(found).isEqualTo(want);
        assertThat(s.unreadable()).isEmpty();
        assertThat(s.isPassThrough()).isEqualTo(want.isEmpty());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "select * from pgseal.key_versions",
            "select * from \"pgseal\".audit_log",
            "set search_path = pgseal, public",
            "delete from pgseal . audit_log",
    })
    void flagsAccessToPgsealsOwnSchema(String sql) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        assertThat(s.touchesPgsealSchema()).isTrue();
        assertThat(s.isPassThrough()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "select 'unterminated from patients",
            "select \"unterminated",
            "select /* unterminated",
            "select $tag$ unterminated",
    })
    void unreadableTextIsNeverPassedThrough(String sql) {
        StatementScreen.Screening s = SCREEN.screen(sql);
        assertThat(s.unreadable()).isPresent();
        assertThat(s.isPassThrough()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "select 'pgseal.audit_log'",
            "select pgseal_version()",
            "select * from mypgseal.t",
    })
    void namesThatOnlyLookLikePgsealPassThrough(String sql) {
        assertThat(SCREEN.screen(sql).isPassThrough()).isTrue();
    }
}
