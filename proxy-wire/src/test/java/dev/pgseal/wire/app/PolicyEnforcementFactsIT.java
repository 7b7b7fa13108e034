package dev.pgseal.wire.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.EnvelopeConstraint;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.crypto.ColumnAccess;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission caches a served database's catalog facts and the user's policy roles, from a real PostgreSQL. */
class PolicyEnforcementFactsIT {

    private static final String POLICY = """
            version: 1
            keys: [{name: k}]
            tables:
              - name: patients
                primary_key: id
                columns:
                  - {name: ssn, type: text, encryption: deterministic, key: k, readers: [%1$s_doctor], on_unauthorized: nullify}
            """;

    @Test
    void admissionKeepsTheFactsAndTheRolesTheUserIsAMemberOf() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("enforce_facts");
        String prefix = db; // role names unique to this run
        Policy policy = PolicyLoader.parse(POLICY.formatted(prefix), "p.yaml").orElseThrow();
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("create table patients (id int primary key, ssn bytea)");
            s.execute(EnvelopeConstraint.addStatement(QualifiedName.parse("patients"),
                    policy.tables().get(0).columns().get(0)));
            s.execute("drop role if exists " + prefix + "_nurse; drop role if exists " + prefix + "_doctor;"
                    + "drop role if exists " + prefix + "_alice; drop role if exists " + prefix + "_bob");
            s.execute("create role " + prefix + "_doctor; create role " + prefix + "_nurse;"
                    + "create role " + prefix + "_alice login in role " + prefix + "_nurse;"
                    + "grant " + prefix + "_doctor to " + prefix + "_nurse;"
                    + "create role " + prefix + "_bob login");
        }
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        try {
            PolicyEnforcement enforcement = new PolicyEnforcement(() -> policy, "not_this_one", pg::connect, blocking,
                    new ProtectedTableGuard(policy));
            assertThat(enforcement.facts(db)).as("before any admission").isEmpty();

            assertThat(enforcement.admit(session(prefix + "_alice", db)).toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .isEmpty();
            assertThat(enforcement.admit(session(prefix + "_bob", db)).toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .isEmpty();

            CatalogFacts facts = enforcement.facts(db).orElseThrow();
            assertThat(facts.columns(QualifiedName.parse("patients"))).contains(List.of("id", "ssn"));
            ColumnAccess alice = enforcement.access(db, prefix + "_alice").orElseThrow();
            assertThat(alice.roles()).as("a member of doctor through nurse")
                    .isEqualTo(Set.of(prefix + "_alice", prefix + "_doctor"));
            assertThat(alice.canRead(policy.tables().get(0).columns().get(0))).isTrue();
            ColumnAccess bob = enforcement.access(db, prefix + "_bob").orElseThrow();
            assertThat(bob.canRead(policy.tables().get(0).columns().get(0))).isFalse();

            enforcement.policyChanged();
            assertThat(enforcement.facts(db)).isEmpty();
            assertThat(enforcement.access(db, prefix + "_alice")).isEmpty();
        } finally {
            blocking.shutdownNow();
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("drop database if exists " + db + " with (force)");
                for (String r : List.of("_alice", "_bob", "_nurse", "_doctor")) {
                    s.execute("drop role if exists " + prefix + r);
                }
            }
        }
    }

    private static SessionInfo session(String user, String database) {
        return new SessionInfo() {
            @Override
            public String user() {
                return user;
            }

            @Override
            public String database() {
                return database;
            }

            @Override
            public String applicationName() {
                return "";
            }

            @Override
            public Map<String, String> startupParameters() {
                return Map.of("user", user, "database", database);
            }

            @Override
            public String serverParameter(String name) {
                return null;
            }

            @Override
            public SocketAddress clientAddress() {
                return new InetSocketAddress("127.0.0.1", 1);
            }

            @Override
            public boolean clientTls() {
                return false;
            }

            @Override
            public boolean settled() {
                return true;
            }
        };
    }
}
