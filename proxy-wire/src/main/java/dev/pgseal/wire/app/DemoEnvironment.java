package dev.pgseal.wire.app;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.wire.config.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Everything {@code ./pgseal demo} starts: an embedded PostgreSQL, a key store (a SoftHSM2 token
 * when SoftHSM2 is installed and {@code SOFTHSM2_CONF} is set — the launcher sets it — else a
 * software key store), the demo schema and policy (from {@code examples/demo/}, packaged into the
 * jar), and the pgseal server. Closing stops all of it.
 */
public final class DemoEnvironment implements AutoCloseable {

    /** The label of the demo's SoftHSM2 token. */
    public static final String TOKEN_LABEL = "pgseal-demo";
    /** The demo application's database (the policy covers it). */
    public static final String APP_DATABASE = "shop";
    /** The key store's own database (schema pgseal); pgseal never serves client sessions to it. */
    public static final String STORE_DATABASE = "pgseal_store";
    private static final List<Path> SOFTHSM_LIBRARIES = List.of(
            Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
            Path.of("/usr/local/lib/softhsm/libsofthsm2.so"));

    private final EmbeddedPostgres postgres;
    private final PgsealServer server;

    private DemoEnvironment(EmbeddedPostgres postgres, PgsealServer server) {
        this.postgres = postgres;
        this.server = server;
    }

    /** Starts the demo, printing progress and the connection URLs to {@code out}. */
    public static DemoEnvironment start(Path folder, int port, PrintStream out) throws IOException, SQLException {
        return start(folder, port, out, TOKEN_LABEL);
    }

    /** {@link #start(Path, int, PrintStream)} with the master key on the SoftHSM2 token {@code tokenLabel}. */
    public static DemoEnvironment start(Path folder, int port, PrintStream out, String tokenLabel)
            throws IOException, SQLException {
        Files.createDirectories(folder);
        out.println("pgseal demo: starting an embedded PostgreSQL ...");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        PgsealServer server = null;
        try {
            // Two databases, as in production: the application's, and the key store's own.
            String adminJdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            try (Connection c = DriverManager.getConnection(adminJdbc, "postgres", null);
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + APP_DATABASE);
                s.execute("CREATE DATABASE " + STORE_DATABASE);
            }
            String directJdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + APP_DATABASE;
            try (Connection c = DriverManager.getConnection(directJdbc, "postgres", null);
                 Statement s = c.createStatement()) {
                s.execute(resource("schema.sql"));
            }
            Path policyFile = folder.resolve("policy.yaml");
            Files.writeString(policyFile, resource("policy.yaml"));
            KeystoreSettings keystore = keystore(folder.toAbsolutePath(), tokenLabel, out);
            String storeJdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + STORE_DATABASE;
            StoreSettings store = new StoreSettings(storeJdbc, "postgres", Optional.empty(), 2);
            ServerConfig config = new ServerConfig(new ServerConfig.Listen("127.0.0.1", port),
                    new ServerConfig.Upstream("127.0.0.1", pg.getPort(), ServerConfig.UpstreamTls.DISABLE),
                    ServerConfig.Tls.DISABLED, Optional.of(policyFile), Optional.of(keystore), Optional.of(store),
                    // The admin API beside the proxy: 6544 next to 6543; a free port when the proxy's is (tests).
                    new ServerConfig.Admin("127.0.0.1", port == 0 ? 0 : ServerConfig.Admin.DEFAULT.port()),
                    ServerConfig.Limits.DEFAULT);
            server = PgsealServer.start(config);
            DemoEnvironment demo = new DemoEnvironment(pg, server);
            demo.showRow(directJdbc, out);
            demo.showProxy(out);
            out.println();
            out.println("proxy: postgresql://postgres@127.0.0.1:" + server.port() + "/" + APP_DATABASE);
            out.println("direct: postgresql://postgres@127.0.0.1:" + pg.getPort() + "/" + APP_DATABASE);
            out.println("psql through pgseal: psql 'postgresql://postgres@127.0.0.1:" + server.port() + "/"
                    + APP_DATABASE + "'");
            out.println("JDBC through pgseal: jdbc:postgresql://127.0.0.1:" + server.port() + "/" + APP_DATABASE
                    + "?user=postgres");
            out.println("key store (its own database, never served through pgseal): " + STORE_DATABASE);
            out.println("admin API: http://127.0.0.1:" + server.adminPort() + " (create a token: see docs/admin.md)");
            return demo;
        } catch (RuntimeException | IOException | SQLException e) {
            if (server != null) {
                server.close();
            }
            pg.close();
            throw e;
        }
    }

    /** A role with no read access to ssn and notes, to show {@code on_unauthorized}. */
    static final String CLERK = "demo_clerk";

    /**
     * Writes one customer through pgseal in plain SQL, then shows the row as PostgreSQL stores it
     * (envelopes, read directly), as pgseal serves it (plaintext), as a role without read access
     * sees it (mask, NULL), and a statement pgseal refuses.
     */
    private void showRow(String directJdbc, PrintStream out) throws SQLException {
        String proxyJdbc = "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + APP_DATABASE;
        try (Connection c = DriverManager.getConnection(directJdbc, "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + CLERK + " LOGIN");
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + CLERK);
        }
        String[] columns = {"email", "ssn", "notes"};
        long id;
        try (Connection c = DriverManager.getConnection(proxyJdbc, "postgres", null);
             PreparedStatement ins = c.prepareStatement(
                     "insert into customers (name, email, ssn, notes) values (?, ?, ?, ?) returning id")) {
            ins.setString(1, "Ada Lovelace");
            ins.setString(2, "ada@example.com");
            ins.setString(3, "123-45-6789");
            ins.setString(4, "prefers contact by email");
            try (ResultSet rs = ins.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        out.println();
        out.println("written through pgseal: insert into customers (name, email, ssn, notes) values ('Ada Lovelace', "
                + "'ada@example.com', '123-45-6789', 'prefers contact by email')");
        out.println("one row as PostgreSQL stores it (direct):");
        try (Connection c = DriverManager.getConnection(directJdbc, "postgres", null);
             PreparedStatement ps = c.prepareStatement("select id, name, email, ssn, notes from customers where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                out.println("  id=" + rs.getLong(1) + " name=" + rs.getString(2));
                for (String col : columns) {
                    byte[] v = rs.getBytes(col);
                    out.println("  " + col + "=\\x" + abbreviate(HexFormat.of().formatHex(v)) + " (" + v.length + " bytes)");
                }
            }
        }
        out.println("the same row through pgseal (select ... where email = 'ada@example.com'):");
        printThroughProxy(proxyJdbc, "postgres", columns, out);
        out.println("the same row through pgseal as role " + CLERK + " (no read access to ssn and notes):");
        printThroughProxy(proxyJdbc, CLERK, columns, out);
    }

    private static void printThroughProxy(String proxyJdbc, String user, String[] columns, PrintStream out)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(proxyJdbc, user, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, name, email, ssn, notes from customers "
                     + "where email = 'ada@example.com'")) {
            rs.next();
            out.println("  id=" + rs.getLong(1) + " name=" + rs.getString(2));
            for (String col : columns) {
                out.println("  " + col + "=" + rs.getString(col));
            }
        }
    }

    /** What else a client of the proxy sees: plain statements pass, unsafe uses of protected columns fail closed. */
    private void showProxy(PrintStream out) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + APP_DATABASE;
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select current_user, current_setting('server_version')")) {
                rs.next();
                out.println("through pgseal: select current_user, server_version -> " + rs.getString(1) + ", "
                        + rs.getString(2));
            }
            try {
                s.executeQuery("select email from customers order by email");
            } catch (SQLException e) {
                out.println("through pgseal: select email from customers order by email -> ERROR " + e.getSQLState()
                        + ": " + e.getMessage().replaceFirst("^ERROR: ", "").replaceAll("\\s*Where:.*", ""));
            }
        }
    }

    private static String abbreviate(String hex) {
        return hex.length() <= 48 ? hex : hex.substring(0, 48) + "...";
    }

    /** A SoftHSM2 token when SoftHSM2 can be used, else a software key store (with a warning). */
    private static KeystoreSettings keystore(Path folder, String tokenLabel, PrintStream out) throws IOException {
        String conf = System.getenv("SOFTHSM2_CONF");
        Optional<Path> library = SOFTHSM_LIBRARIES.stream().filter(Files::isRegularFile).findFirst();
        if (conf != null && library.isPresent() && onPath("softhsm2-util")) {
            Path pinFile = folder.resolve("hsm.pin");
            Path tokens = folder.resolve("tokens");
            Files.createDirectories(tokens);
            Path confFile = Path.of(conf);
            if (!Files.exists(confFile)) {
                Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                        + "log.level = ERROR\n");
            }
            boolean tokenExists = tokenExists(conf, tokenLabel);
            if (tokenExists && !Files.exists(pinFile)) {
                throw new StartupException("SoftHSM2 token '" + tokenLabel + "' exists but its PIN file " + pinFile
                        + " is missing; delete the token (softhsm2-util --delete-token --token " + tokenLabel
                        + ") or the demo folder to start over");
            }
            if (!tokenExists) {
                writeSecret(pinFile, randomSecret());
                run(conf, "softhsm2-util", "--init-token", "--free", "--label", tokenLabel,
                        "--so-pin", randomSecret(), "--pin", Files.readString(pinFile).trim());
            }
            out.println("pgseal demo: master key on SoftHSM2 token '" + tokenLabel + "' (" + confFile + ")");
            return new KeystoreSettings(KeystoreSettings.Type.PKCS11, library, Optional.of(tokenLabel),
                    Optional.of(SecretSource.file(pinFile)), KeystoreSettings.DEFAULT_MASTER_KEY_LABEL,
                    Optional.empty(), Optional.empty());
        }
        out.println("pgseal demo: WARNING: SoftHSM2 is not available (install softhsm2 and run through ./pgseal); "
                + "using a software key store in " + folder + " - not for production");
        Path pass = folder.resolve("keystore.pass");
        if (!Files.exists(pass)) {
            writeSecret(pass, randomSecret());
        }
        return new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(), Optional.empty(),
                Optional.empty(), KeystoreSettings.DEFAULT_MASTER_KEY_LABEL, Optional.of(folder.resolve("keys.p12")),
                Optional.of(SecretSource.file(pass)));
    }

    private static boolean tokenExists(String conf, String tokenLabel) throws IOException {
        return run(conf, "softhsm2-util", "--show-slots").lines()
                .anyMatch(l -> l.strip().equals("Label:            " + tokenLabel));
    }

    private static String run(String conf, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf);
        Process p = pb.start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command[0] + " " + command[1] + " failed: " + output.strip());
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String randomSecret() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void writeSecret(Path file, String secret) throws IOException {
        Files.writeString(file, secret + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    private static String resource(String name) {
        try (InputStream in = DemoEnvironment.class.getResourceAsStream("/dev/pgseal/demo/" + name)) {
            if (in == null) {
                throw new IllegalStateException("demo resource " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        try {
            postgres.close();
        } catch (IOException e) {
            // the process is stopping; the embedded server's folder is temporary
        }
    }
}
