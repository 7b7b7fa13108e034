package dev.pgseal.wire.cli;

import dev.pgseal.keys.StoreSettings;
import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options of the offline admin commands: the server config whose {@code store} they read. */
final class StoreOptions {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The server config file; its 'store' section names the database holding schema pgseal.")
    Path config;

    @Option(names = "--json", description = "Print machine-readable JSON.")
    boolean json;

    /** The store settings, or null after printing why there are none. */
    StoreSettings store() {
        Optional<ServerConfig> loaded = ConfigFile.load(config);
        if (loaded.isEmpty()) {
            return null;
        }
        ServerConfig cfg = loaded.get();
        if (cfg.store().isEmpty()) {
            System.err.println("pgseal: " + config + " has no 'store' section: there is no key store to read");
            return null;
        }
        return cfg.store().get();
    }
}
