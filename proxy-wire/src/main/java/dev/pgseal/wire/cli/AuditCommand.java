package dev.pgseal.wire.cli;

import dev.pgseal.keys.audit.AuditChainVerification;
import dev.pgseal.keys.audit.AuditSettings;
import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgseal audit …}: the tamper-evident audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check the tamper-evident audit log.",
        footer = {"", "Example: ./pgseal audit verify --config pgseal.yaml --checkpoints audit.checkpoints"},
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand extends CommandGroup {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verifies pgseal.audit_log offline: every link with the audit key (HMAC-SHA256 in the HSM, "
                    + "so the config's keystore must be reachable), and that the chain extends the newest signed "
                    + "checkpoint of the checkpoint file. Names the first bad event and why: edited, deleted, reordered, "
                    + "or a truncated tail.",
                    "Exit code 0 when the log is intact, 1 when it is broken or cannot be read.",
                    "Example: ./pgseal audit verify --config pgseal.yaml --checkpoints /var/log/pgseal/audit.jsonl --json"})
    static final class Verify implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "The server config file: its 'keystore' holds the audit key, its 'store' the log.")
        Path config;

        @Option(names = "--checkpoints", paramLabel = "FILE",
                description = "The checkpoint file to compare with (default: the config's audit.checkpoint_file). "
                        + "Without one, deleting the newest events cannot be detected.")
        Path checkpoints;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            Optional<ServerConfig> loaded = ConfigFile.load(config);
            if (loaded.isEmpty()) {
                return 1;
            }
            ServerConfig cfg = loaded.get();
            if (cfg.store().isEmpty() || cfg.keystore().isEmpty()) {
                System.err.println("pgseal: " + config + " needs a 'keystore' and a 'store' section: the audit key "
                        + "and the log they name are what is verified");
                return 1;
            }
            AuditSettings configured = cfg.audit();
            AuditSettings audit = checkpoints == null ? configured
                    : new AuditSettings(Optional.of(checkpoints), configured.checkpointInterval(), configured.keyLabel());
            return AuditChainVerification.run(cfg.keystore().get(), cfg.store().get(), audit, json, System.out,
                    System.err);
        }
    }
}
