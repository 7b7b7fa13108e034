package dev.pgseal.wire.cli;

import dev.pgseal.wire.config.InvalidConfigException;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.config.ServerConfigLoader;
import java.nio.file.Path;
import java.util.Optional;

/** Loading the server config for a command: every problem printed with its location, once. */
final class ConfigFile {

    private ConfigFile() {
    }

    /** The config in {@code file}, or empty after printing every error to stderr. */
    static Optional<ServerConfig> load(Path file) {
        try {
            return Optional.of(ServerConfigLoader.load(file));
        } catch (InvalidConfigException e) {
            System.err.println("pgseal: invalid config:");
            e.errors().forEach(d -> System.err.println("  " + d));
            return Optional.empty();
        }
    }
}
