package dev.pgseal.wire.cli;

import dev.pgseal.wire.app.PgsealServer;
import dev.pgseal.wire.app.StartupException;
import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgseal serve --config FILE}: runs the proxy until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./pgseal serve --config pgseal.yaml", "  ./pgseal serve --config pgseal.yaml --check"},
        description = {"Runs the pgseal proxy from a server config file (YAML).",
                "",
                "Config keys (all optional except upstream; see examples/pgseal.yaml):",
                "  listen.host, listen.port            where clients connect (127.0.0.1:6543)",
                "  upstream.host, upstream.port        the PostgreSQL server (127.0.0.1:5432)",
                "  upstream.tls, upstream.ca           disable | require | verify-full; private CA (PEM)",
                "  tls.mode, tls.cert, tls.key         client TLS: disable | prefer | require; PEM files",
                "  policy                              the encrypted-column policy file",
                "  keystore.*                          master keys: type pkcs11 (HSM) or software",
                "  store.*                             the key store's own database (schema pgseal: wrapped",
                "                                      keys, audit); never a database the policy covers",
                "  admin.host, admin.port              admin API (127.0.0.1:6544)",
                "  admin.tls.cert, admin.tls.key       HTTPS on the admin API (PEM files)",
                "  admin.tls.client_ca                 CAs of admin client certificates (PEM bundle)",
                "  limits.max_message_bytes            largest protocol message accepted (64 MiB)",
                "  limits.max_client_connections       client sessions at once (2000)",
                "  limits.max_startup_message_bytes    largest message before authentication (8 KiB)",
                "  limits.max_connections_per_address  connections from one address (100)",
                "  limits.max_buffered_bytes           bytes of partial messages, all sessions (256 MiB)",
                "  audit.checkpoint_file               signed audit checkpoints appended outside PostgreSQL",
                "  audit.checkpoint_interval           how often a checkpoint is written (5m)",
                "  alerts.<rule>.*, alerts.webhook.*   alert thresholds and the webhook (docs/admin.md)",
                "",
                "The policy file is reloaded when it changes and on SIGHUP; an invalid new policy is",
                "rejected and the old one stays in force.",
                "Exit code 1 when the config is invalid or pgseal cannot start."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The server config file.")
    Path config;

    @Option(names = "--check", description = "Validate the config (and policy) and exit without serving.")
    boolean check;

    @Override
    public Integer call() throws InterruptedException {
        Optional<ServerConfig> loaded = ConfigFile.load(config);
        if (loaded.isEmpty()) {
            return 1;
        }
        ServerConfig cfg = loaded.get();
        if (check) {
            System.out.println("config " + config + " is valid");
            return 0;
        }
        PgsealServer server;
        try {
            server = PgsealServer.start(cfg);
        } catch (StartupException e) {
            System.err.println("pgseal: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pgseal-shutdown"));
        System.out.println("pgseal: listening on " + cfg.listen().host() + ":" + server.port()
                + ", upstream " + cfg.upstream().host() + ":" + cfg.upstream().port());
        stopped.await();
        return 0;
    }
}
