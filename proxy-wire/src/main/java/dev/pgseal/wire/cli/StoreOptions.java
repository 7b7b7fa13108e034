package dev.pgseal.wire.cli;

import dev.pgseal.keys.StoreSettings;
import dev.pgseal.wire.config.InvalidConfigException;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.config.ServerConfigLoader;
import java.nio.file.Path;
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
        ServerConfig cfg;
        try {
            cfg = ServerConfigLoader.load(config);
        } catch (InvalidConfigException e) {
            System.err.println("pgseal: invalid config:");
            e.errors().forEach(d -> System.err.println("  " + d));
            return null;
        }
        if (cfg.store().isEmpty()) {
            System.err.println("pgseal: " + config + " has no 'store' section: there is no key store to read");
            return null;
        }
        return cfg.store().get();
    }
}
