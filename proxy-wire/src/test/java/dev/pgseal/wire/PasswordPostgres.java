package dev.pgseal.wire;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl from the local installation, run as the
 * {@code postgres} OS user when the tests run as root) with TLS on and password authentication:
 * SCRAM for {@code scram_user}, md5 for {@code md5_user}, cleartext for {@code clear_user}; every
 * password is {@code secret-pw}. For tests of authentication relayed through the proxy.
 */
final class PasswordPostgres implements AutoCloseable {
    static final String PASSWORD = "secret-pw";
    final Path dir;
    final int port;
    private final Path bin;

    private PasswordPostgres(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
    }

    /** The local PostgreSQL binaries, or null when there are none. */
    static Path findBinaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (var versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .sorted().reduce((a, b) -> b).orElse(null);
        }
    }

    static PasswordPostgres start(Path bin) throws Exception {
        Path dir = Files.createTempDirectory("pgseal-pwpg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pgseal-test-db",
                "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.crt").toString());
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(dir, "chown", "-R", "postgres", dir.toString());
        }
        runAsPostgres(dir, root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--pwfile=" + dir.resolve("pw"), "--auth-local=trust", "--auth-host=scram-sha-256");
        Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host all md5_user 127.0.0.1/32 md5",
                "host all clear_user 127.0.0.1/32 password",
                "host all all 127.0.0.1/32 scram-sha-256", ""));
        Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + dir + "'",
                "ssl = on",
                "ssl_cert_file = '" + dir.resolve("server.crt") + "'",
                "ssl_key_file = '" + dir.resolve("server.key") + "'",
                "max_connections = 20",
                "shared_buffers = 16MB",
                "fsync = off", ""), java.nio.file.StandardOpenOption.APPEND);
        if (root) {
            run(dir, "chown", "-R", "postgres", dir.toString());
        }
        run(dir, "chmod", "600", dir.resolve("server.key").toString());
        runAsPostgres(dir, root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-l",
                dir.resolve("log").toString(), "start");
        PasswordPostgres pg = new PasswordPostgres(dir, port, bin);
        pg.psql("set password_encryption = 'md5'; create user md5_user password '" + PASSWORD + "';"
                + " reset password_encryption; create user scram_user password '" + PASSWORD + "';"
                + " create user clear_user password '" + PASSWORD + "';");
        return pg;
    }

    void psql(String sql) throws Exception {
        runAsPostgres(dir, "root".equals(System.getProperty("user.name")), bin.resolve("psql").toString(),
                "-h", dir.toString(), "-p", Integer.toString(port), "-U", "postgres", "-d", "postgres",
                "-v", "ON_ERROR_STOP=1", "-c", sql);
    }

    private static void runAsPostgres(Path dir, boolean root, String... command) throws Exception {
        List<String> c = new ArrayList<>();
        if (root) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(List.of(command));
        run(dir, c.toArray(String[]::new));
    }

    private static void run(Path dir, String... command) throws Exception {
        ExternalCommand.run(dir, command);
    }

    @Override
    public void close() throws Exception {
        runAsPostgres(dir, "root".equals(System.getProperty("user.name")), bin.resolve("pg_ctl").toString(),
                "-D", dir.resolve("data").toString(), "-m", "immediate", "stop");
        run(dir.getParent(), "rm", "-rf", dir.toString());
    }
}
