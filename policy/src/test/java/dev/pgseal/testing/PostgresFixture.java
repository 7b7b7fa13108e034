package dev.pgseal.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a real PostgreSQL for tests, once per JVM, in this order:
 * <ol>
 *   <li>{@code PGSEAL_TEST_PG_URL}: a JDBC URL, user and password as URL parameters
 *       ({@code jdbc:postgresql://host:5432/postgres?user=u&password=p});</li>
 *   <li>the service on 127.0.0.1:5432 (user {@code postgres}, trust) when it answers;</li>
 *   <li>a PostgreSQL container (Testcontainers) when a Docker daemon answers, from the image in
 *       {@code PGSEAL_TEST_PG_IMAGE} (default {@value #DEFAULT_IMAGE}), so other PostgreSQL
 *       versions can be tested: {@code PGSEAL_TEST_PG_IMAGE=postgres:13-alpine mvn verify}. An
 *       image named explicitly is preferred to the service on 5432;</li>
 *   <li>an embedded PostgreSQL (zonky) started for this JVM.</li>
 * </ol>
 * Docker is never required: without a daemon (no {@code DOCKER_HOST}, no Docker socket) the
 * container step costs nothing and is skipped. Tests that need isolation create a database of their
 * own with {@link #createDatabase(String)}.
 */
public final class PostgresFixture {

    /** The environment variable that names an explicit PostgreSQL to test against. */
    public static final String URL_ENV = "PGSEAL_TEST_PG_URL";
    /** The environment variable that names the Docker image of the container option. */
    public static final String IMAGE_ENV = "PGSEAL_TEST_PG_IMAGE";
    /** The image used when {@value #IMAGE_ENV} is unset. */
    public static final String DEFAULT_IMAGE = "postgres:16-alpine";

    private static volatile PostgresFixture instance;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    /** The prefix of every database the tests create (and of nothing else). */
    static final String TEST_DATABASE_PREFIX = "pgt_";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;
    private final String origin;
    private final EmbeddedPostgres embedded;

    private PostgresFixture(String host, int port, String user, String password, String database,
            String origin, EmbeddedPostgres embedded) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.origin = origin;
        this.embedded = embedded;
    }

    /** The PostgreSQL for this JVM, found or started on first use. */
    public static PostgresFixture get() {
        PostgresFixture f = instance;
        if (f == null) {
            synchronized (PostgresFixture.class) {
                f = instance;
                if (f == null) {
                    f = locate();
                    instance = f;
                }
            }
        }
        return f;
    }

    private static PostgresFixture locate() {
        String explicit = System.getenv(URL_ENV);
        if (explicit != null && !explicit.isBlank()) {
            return fromUrl(explicit);
        }
        String image = System.getenv(IMAGE_ENV);
        boolean imageNamed = image != null && !image.isBlank();
        if (imageNamed) {
            PostgresFixture container = container(image.strip());
            if (container != null) {
                return container;
            }
        }
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&connectTimeout=3")) {
            c.createStatement().execute("select 1");
            return new PostgresFixture("127.0.0.1", 5432, "postgres", null, "postgres", "service 127.0.0.1:5432", null);
        } catch (SQLException e) {
            // no service: try a container, then an embedded server
        }
        if (!imageNamed) {
            PostgresFixture container = container(DEFAULT_IMAGE);
            if (container != null) {
                return container;
            }
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            return new PostgresFixture("127.0.0.1", pg.getPort(), "postgres", null, "postgres", "embedded", pg);
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL: " + URL_ENV + " unset, nothing on 127.0.0.1:5432, "
                    + "and the embedded server did not start", e);
        }
    }

    /** A container of {@code image} when a Docker daemon answers, else null (and a note when one was asked for). */
    private static PostgresFixture container(String image) {
        if (!DockerProbe.mayHaveDaemon()) {
            return null;
        }
        try {
            return Container.start(image);
        } catch (LinkageError e) {
            // Testcontainers is not on this module's test class path: behave as without Docker.
            return null;
        } catch (RuntimeException e) {
            // A daemon that answers but cannot run the image: say so, then fall back as without Docker.
            System.err.println("pgseal tests: no PostgreSQL container from " + image + " (" + e.getMessage()
                    + "); falling back");
            return null;
        }
    }

    /**
     * The cheap test first: without {@code DOCKER_HOST}, a Testcontainers configuration or a Docker
     * socket in the usual places there is no daemon to ask, and Testcontainers is not even loaded
     * (its own probe tries several strategies and can take seconds).
     */
    private static final class DockerProbe {
        static boolean mayHaveDaemon() {
            String dockerHost = System.getenv("DOCKER_HOST");
            if (dockerHost != null && !dockerHost.isBlank()) {
                return true;
            }
            String home = System.getProperty("user.home");
            String runtime = System.getenv("XDG_RUNTIME_DIR");
            return java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                    || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".docker", "run", "docker.sock"))
                    || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".testcontainers.properties"))
                    || (runtime != null && java.nio.file.Files.exists(java.nio.file.Path.of(runtime, "docker.sock")));
        }
    }

    /** Every reference to Testcontainers lives here, so the class loads only when Docker may answer. */
    private static final class Container {
        static PostgresFixture start(String image) {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                return null;
            }
            org.testcontainers.postgresql.PostgreSQLContainer pg = new org.testcontainers.postgresql.PostgreSQLContainer(
                    org.testcontainers.utility.DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
                    .withUsername("postgres")
                    .withPassword("pgseal-test")
                    .withDatabaseName("postgres");
            pg.start();
            Runtime.getRuntime().addShutdownHook(new Thread(pg::stop));
            return new PostgresFixture(pg.getHost(), pg.getMappedPort(5432), "postgres", "pgseal-test", "postgres",
                    "container " + image, null);
        }
    }

    private static PostgresFixture fromUrl(String url) {
        // jdbc:postgresql://host:port/db?user=u&password=p
        String rest = url.replaceFirst("^jdbc:postgresql://", "");
        String hostPort = rest.substring(0, rest.indexOf('/'));
        String afterSlash = rest.substring(rest.indexOf('/') + 1);
        String db = afterSlash.contains("?") ? afterSlash.substring(0, afterSlash.indexOf('?')) : afterSlash;
        String query = afterSlash.contains("?") ? afterSlash.substring(afterSlash.indexOf('?') + 1) : "";
        String u = "postgres";
        String p = null;
        for (String kv : query.split("&")) {
            if (kv.startsWith("user=")) {
                u = kv.substring(5);
            } else if (kv.startsWith("password=")) {
                p = kv.substring(9);
            }
        }
        String h = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        int port = hostPort.contains(":") ? Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)) : 5432;
        return new PostgresFixture(h, port, u, p, db.isEmpty() ? "postgres" : db, URL_ENV, null);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** The password, or null for trust authentication. */
    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    /** Whether this PostgreSQL was started by the fixture (and so may be reconfigured by tests). */
    public boolean isEmbedded() {
        return embedded != null;
    }

    /** A JDBC URL for the fixture's default database. */
    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    /** A JDBC URL for {@code db} on this server, with user (and password) as parameters. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + db + "?user=" + user
                + (password == null ? "" : "&password=" + password);
    }

    /** A libpq URL (for psql and pgbench) for {@code db}. */
    public String libpqUrl(String db) {
        return "postgresql://" + user + (password == null ? "" : ":" + password) + "@" + host + ":" + port + "/" + db;
    }

    /** A new connection to the default database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** A new connection to {@code db}. */
    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db));
    }

    /**
     * Creates a fresh, empty database named {@code pgt_<prefix>_<pid>_<n>} (dropping a leftover of
     * the same name) and returns its name. The first call of a test JVM drops the databases earlier
     * test JVMs made whose process is gone, so repeated runs on one server do not pile them up; only
     * names of that form are touched.
     */
    public String createDatabase(String prefix) {
        if (DATABASES.get() == 0) {
            dropLeftovers();
        }
        String name = (TEST_DATABASE_PREFIX + prefix + "_" + ProcessHandle.current().pid() + "_"
                + DATABASES.incrementAndGet()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** Drops {@code pgt_…_<pid>_<n>} databases of test processes that are no longer running (best effort). */
    private synchronized void dropLeftovers() {
        Pattern own = Pattern.compile(TEST_DATABASE_PREFIX + "[a-z0-9_]*_([0-9]+)_[0-9]+");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            List<String> gone = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select datname from pg_database where datname like '"
                    + TEST_DATABASE_PREFIX + "%'")) {
                while (rs.next()) {
                    Matcher m = own.matcher(rs.getString(1));
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                        gone.add(rs.getString(1));
                    }
                }
            }
            for (String db : gone) {
                s.execute("drop database if exists " + db + " with (force)");
            }
        } catch (SQLException | NumberFormatException e) {
            // Leftovers only cost space; a test run never fails for them.
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL at " + host + ":" + port + " (" + origin + ")";
    }
}
