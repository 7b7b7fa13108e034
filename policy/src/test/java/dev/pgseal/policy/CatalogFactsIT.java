package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.testing.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalog facts the check returns, read from a real PostgreSQL. */
class CatalogFactsIT {

    private static final String POLICY = """
            version: 1
            keys: [{name: k}]
            tables:
              - name: public.patients
                primary_key: id
                columns:
                  - {name: ssn, type: text, encryption: deterministic, key: k, readers: [app]}
                  - {name: born, type: date, key: k, readers: [app]}
              - name: '"Sales"."Orders"'
                columns: [{name: card, type: varchar(19), key: k, readers: [app]}]
              - name: nowhere
                columns: [{name: x, type: text, key: k, readers: [app]}]
            """;

    @Test
    void factsGiveOidsColumnOrderWithoutDroppedColumnsProtectedAttnumsAndSchemasByName() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String db = pg.createDatabase("policy_facts");
        Policy policy = PolicyLoader.parse(POLICY, "p.yaml").orElseThrow();
        try (Connection c = pg.connect(db)) {
            try (Statement s = c.createStatement()) {
                s.execute("""
                        create table patients (id int primary key, gone text, ssn bytea, name text);
                        alter table patients drop column gone;
                        alter table patients add column born bytea;
                        create schema other;
                        create view other.patients as select id from public.patients;
                        create schema "Sales";
                        create table "Sales"."Orders" (id int, card bytea);
                        create sequence other.nowhere;
                        """);
            }
            long patientsOid = oid(c, "public.patients");
            long ordersOid = oid(c, "\"Sales\".\"Orders\"");

            CatalogFacts facts = CatalogCheck.check(c, policy).facts();

            assertThat(facts.database()).isEqualTo(db);
            QualifiedName patients = QualifiedName.parse("patients");
            assertThat(facts.columns(patients)).contains(List.of("id", "ssn", "name", "born"));
            assertThat(facts.table(patients).orElseThrow().oid()).isEqualTo(patientsOid);
            assertThat(facts.table(patients).orElseThrow().protectedColumns().keySet())
                    .as("attnums: the dropped column keeps its number").containsExactlyInAnyOrder(3, 5);
            assertThat(facts.protectedColumn((int) patientsOid, 3)).get()
                    .extracting(p -> p.column().name()).isEqualTo("ssn");
            assertThat(facts.protectedColumn((int) patientsOid, 5)).get()
                    .extracting(p -> p.column().type()).isEqualTo(LogicalType.of(LogicalType.Kind.DATE));
            assertThat(facts.protectedColumn((int) patientsOid, 1)).as("id is not protected").isEmpty();
            assertThat(facts.protectedColumn((int) ordersOid, 2)).get()
                    .extracting(CatalogFacts.ProtectedColumn::table).isEqualTo(QualifiedName.parse("\"Sales\".\"Orders\""));
            assertThat(facts.protectedColumn(0, 3)).as("no origin").isEmpty();

            assertThat(facts.schemasHolding("patients")).isEqualTo(Set.of("public", "other"));
            assertThat(facts.schemasHolding("Orders")).isEqualTo(Set.of("Sales"));
            assertThat(facts.schemasHolding("nowhere")).as("a sequence can be named in FROM").isEqualTo(Set.of("other"));
            assertThat(facts.schemasHolding("unrelated")).isEmpty();
            assertThat(facts.table(QualifiedName.parse("nowhere"))).isEmpty();
        }
    }

    private static long oid(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select '" + table.replace("'", "''") + "'::regclass::oid")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
