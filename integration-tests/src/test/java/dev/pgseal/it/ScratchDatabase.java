package dev.pgseal.it;

import dev.pgseal.testing.PostgresFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A database of its own for one test class on the fixture's PostgreSQL, dropped on close. */
public record ScratchDatabase(PostgresFixture server, String name) implements AutoCloseable {

    /** Creates a fresh database whose name starts with {@code prefix}. */
    public static ScratchDatabase create(String prefix) {
        PostgresFixture server = PostgresFixture.get();
        return new ScratchDatabase(server, server.createDatabase(prefix));
    }

    /** Runs {@code sql} straight on PostgreSQL in this database (setup that is not under test). */
    public void executeDirect(String sql) throws SQLException {
        try (Connection c = server.connect(name); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }
}
