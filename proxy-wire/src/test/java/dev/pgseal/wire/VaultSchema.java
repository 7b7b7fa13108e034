package dev.pgseal.wire;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.EnvelopeConstraint;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.testing.PostgresFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema the encryption ITs share: table {@code vault} with a deterministic ({@code d_}) and a
 * randomized ({@code r_}) column of each logical type, its plaintext {@code twin} (queried directly
 * to compare results), and {@code people} with one column per {@code on_unauthorized} (and, when
 * asked, a unique deterministic {@code email}), readable by a reader role and not by an outsider.
 */
final class VaultSchema {

    /** A logical type of {@code vault} and the suffix of its two columns. */
    record Type(String type, String suffix) {
    }

    /** Every logical type, in column order. */
    static final List<Type> TYPES = List.of(new Type("text", "text"), new Type("varchar(40)", "varchar"),
            new Type("char(12)", "char"), new Type("int2", "int2"), new Type("int4", "int4"), new Type("int8", "int8"),
            new Type("numeric", "numeric"), new Type("float8", "float8"), new Type("bool", "bool"),
            new Type("date", "date"), new Type("timestamp", "ts"), new Type("timestamptz", "tstz"),
            new Type("uuid", "uuid"), new Type("bytea", "bytea"), new Type("jsonb", "jsonb"));

    private VaultSchema() {
    }

    /** The protected columns of {@code vault}, in table order. */
    static List<String> vaultColumns() {
        List<String> out = new ArrayList<>();
        for (Type t : TYPES) {
            out.add("d_" + t.suffix());
            out.add("r_" + t.suffix());
        }
        return out;
    }

    /** The policy of {@code database}: vault read by all, people by {@code reader} only. */
    static String policyYaml(String database, String reader, boolean withEmail) {
        StringBuilder yaml = new StringBuilder("""
                version: 1
                databases: [%s]
                keys:
                  - name: vault
                  - name: people
                tables:
                  - name: public.vault
                    primary_key: id
                    columns:
                """.formatted(database));
        for (String column : vaultColumns()) {
            String suffix = column.substring(2);
            String type = TYPES.stream().filter(t -> t.suffix().equals(suffix)).findFirst().orElseThrow().type();
            yaml.append("""
                          - name: %s
                            type: %s
                            encryption: %s
                            key: vault
                            readers: "*"
                    """.formatted(column, type, column.startsWith("d_") ? "deterministic" : "randomized"));
        }
        yaml.append("""
                  - name: public.people
                    primary_key: id
                    columns:
                      - name: ssn
                        type: text
                        encryption: deterministic
                        key: people
                        readers: [%1$s]
                        writers: [%1$s]
                        on_unauthorized: ciphertext
                      - name: diagnosis
                        type: text
                        encryption: randomized
                        key: people
                        readers: [%1$s]
                        writers: [%1$s]
                        on_unauthorized: nullify
                      - name: phone
                        type: text
                        encryption: randomized
                        key: people
                        readers: [%1$s]
                        writers: [%1$s]
                        on_unauthorized: mask
                        mask: "***{last2}"
                      - name: notes
                        type: text
                        encryption: randomized
                        key: people
                        readers: [%1$s]
                        writers: "*"
                        on_unauthorized: error
                """.formatted(reader));
        if (withEmail) {
            yaml.append("""
                          - name: email
                            type: text
                            encryption: deterministic
                            key: people
                            readers: [%1$s]
                            writers: "*"
                            on_unauthorized: ciphertext
                    """.formatted(reader));
        }
        return yaml.toString();
    }

    /**
     * Creates the tables (protected columns {@code bytea} with their envelope constraints), the
     * reader and outsider roles, and makes the connection's own user a member of the reader (a
     * superuser holds no policy role implicitly).
     */
    static void create(Connection c, Policy policy, String reader, String outsider, boolean withEmail)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            StringBuilder vault = new StringBuilder("create table public.vault (id int8 primary key, label text");
            StringBuilder twin = new StringBuilder("create table public.twin (id int8 primary key, label text");
            for (Type t : TYPES) {
                for (String prefix : List.of("d_", "r_")) {
                    vault.append(", ").append(prefix).append(t.suffix()).append(" bytea");
                    twin.append(", ").append(prefix).append(t.suffix()).append(' ').append(t.type());
                }
            }
            s.execute(vault.append(")").toString());
            s.execute(twin.append(")").toString());
            s.execute("create table public.people (id int8 primary key, ssn bytea, diagnosis bytea, phone bytea, "
                    + "notes bytea" + (withEmail ? ", email bytea unique" : "") + ")");
            for (TablePolicy t : policy.tables()) {
                for (ColumnPolicy col : t.columns()) {
                    s.execute(EnvelopeConstraint.addStatement(t.name(), col));
                }
            }
            s.execute("create role " + reader + " login");
            s.execute("create role " + outsider + " login");
            s.execute("grant all on all tables in schema public to " + reader + ", " + outsider);
            s.execute("grant " + reader + " to current_user");
        }
    }

    /** Drops the database and the two roles. */
    static void drop(String database, String reader, String outsider) throws SQLException {
        try (Connection c = PostgresFixture.get().connect(); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
            s.execute("drop role if exists " + reader);
            s.execute("drop role if exists " + outsider);
        }
    }

    /** Empties the three tables. */
    static void truncate(String database) throws SQLException {
        try (Connection c = PostgresFixture.get().connect(database); Statement s = c.createStatement()) {
            s.execute("truncate vault, twin, people");
        }
    }
}
