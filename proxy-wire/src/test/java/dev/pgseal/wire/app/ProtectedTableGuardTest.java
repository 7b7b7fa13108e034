package dev.pgseal.wire.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import dev.pgseal.wire.session.RefusalStatement;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectedTableGuardTest {

    private static Policy policy(String table) {
        return PolicyLoader.parse("""
                version: 1
                keys: [{name: k}]
                tables:
                  - name: '%s'
                    primary_key: id
                    columns:
                      - {name: secret, type: text, encryption: randomized, key: k, readers: [app]}
                """.formatted(table), "p.yaml").orElseThrow();
    }

    @Test
    void plainStatementsPassAndProtectedOnesGetARefusalNamingTableAndColumns() {
        ProtectedTableGuard guard = new ProtectedTableGuard(policy("public.patients"));
        assertThat(guard.refusal("select 1")).isNull();
        assertThat(guard.refusal("select secret from patients"))
                .startsWith("0A000").contains("public.patients").contains("protected columns secret");
        assertThat(guard.refusal("select * from pgseal.audit_log")).startsWith("42501");
        assertThat(guard.refusal("select 'unterminated from x")).startsWith("0A000").contains("cannot be read");
    }

    @Test
    void theRefusalIsOneDollarQuotedBlockWhateverTheNamesContain() {
        // In YAML's single quotes a quote is written twice: the table is "O'Brien$pgseal$"."x""y".
        ProtectedTableGuard guard = new ProtectedTableGuard(policy("\"O''Brien$pgseal$\".\"x\"\"y\""));
        String refusal = guard.refusal("select * from \"O'Brien$pgseal$\".\"x\"\"y\"");
        assertThat(refusal).isNotNull();
        String statement = RefusalStatement.sql(ProtectedTableGuard.toRefusal(refusal));
        List<SqlToken> tokens = SqlLexer.tokenize(statement);
        assertThat(tokens).extracting(SqlToken::text).startsWith("do");
        assertThat(tokens).hasSize(2).element(1).extracting(SqlToken::kind).isEqualTo(SqlToken.Kind.STRING);
        assertThat(statement).contains("O'Brien$pgseal$").doesNotContain("'0A000'");
    }

    @Test
    void functionCallsAreRefusedExceptTheLargeObjectFunctions() {
        assertThat(ProtectedTableGuard.functionCallRefusal(952)).as("lo_open").isNull();
        assertThat(ProtectedTableGuard.functionCallRefusal(3172)).as("lo_truncate64").isNull();
        assertThat(ProtectedTableGuard.functionCallRefusal(2924)).as("query_to_xml")
                .satisfies(r -> assertThat(r.sqlState()).isEqualTo("0A000"))
                .satisfies(r -> assertThat(r.message()).contains("OID 2924"));
    }

    @Test
    void aReloadedPolicyChangesWhatIsRefused() {
        ProtectedTableGuard guard = new ProtectedTableGuard(policy("public.patients"));
        guard.policyChanged(Policy.empty());
        assertThat(guard.refusal("select secret from patients")).isNull();
    }
}
