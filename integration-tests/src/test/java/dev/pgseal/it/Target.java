package dev.pgseal.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Where a test's client connects: PostgreSQL itself ("direct") or pgseal in front of it ("pgseal").
 * Tests run the same client code against either, so that a difference in outcome is pgseal's.
 */
public record Target(String name, String host, int port) {

    /** Options every test connection gets, so that a hung proxy fails a test instead of hanging the build. */
    private static final String[][] SAFETY_OPTIONS = {{"connectTimeout", "10"}, {"socketTimeout", "90"}};

    /** A JDBC URL for {@code database} without user or options. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /**
     * Opens a pgjdbc connection to {@code database} as {@code user} with the given options, given as
     * alternating names and values ({@code "prepareThreshold", "1"}).
     */
    public Connection connect(String database, String user, String password, String... options) throws SQLException {
        if (options.length % 2 != 0) {
            throw new IllegalArgumentException("options must be name/value pairs: " + List.of(options));
        }
        Properties props = new Properties();
        for (String[] option : SAFETY_OPTIONS) {
            props.setProperty(option[0], option[1]);
        }
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        for (int i = 0; i < options.length; i += 2) {
            props.setProperty(options[i], options[i + 1]);
        }
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** libpq connection arguments for psql and pgbench (the database comes last, as both expect). */
    public List<String> libpqArguments(String database, String user) {
        List<String> args = new ArrayList<>();
        args.add("-h");
        args.add(host);
        args.add("-p");
        args.add(Integer.toString(port));
        args.add("-U");
        args.add(user);
        args.add(database);
        return args;
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + ")";
    }
}
