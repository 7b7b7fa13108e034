package dev.pgseal.wire.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * The options of the admin commands that talk to a running server: where it listens, where the
 * bearer token comes from ({@code PGSEAL_TOKEN}, or {@code --token-file}; never a command-line
 * argument, which other users could read in the process list), or a client certificate
 * ({@code --cert}, {@code --key}), and the output format.
 */
final class ServerOptions {

    /** The default admin API address (ARCHITECTURE.md: admin.host and admin.port). */
    static final String DEFAULT_SERVER = "http://127.0.0.1:6544";
    static final String TOKEN_VARIABLE = "PGSEAL_TOKEN";
    static final String CACERT_VARIABLE = "PGSEAL_CACERT";

    /** Reads environment variables; tests replace it, since a JVM cannot change its own environment. */
    static UnaryOperator<String> environment = System::getenv;

    @Option(names = "--server", paramLabel = "URL", defaultValue = DEFAULT_SERVER,
            description = "The admin API of the running server (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the bearer token from FILE instead of the PGSEAL_TOKEN environment variable.")
    Path tokenFile;

    @Option(names = "--json", description = "Print machine-readable JSON.")
    boolean json;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "With an https:// --server: trust the PEM certificate(s) in FILE (the admin listener's "
                    + "self-signed certificate or its CA) instead of the JVM's trust store. Default: the "
                    + "PGSEAL_CACERT environment variable.")
    Path cacert;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "With an https:// --server whose admin.tls has a client_ca: present this PEM client "
                    + "certificate (registered with tokens cert-add). Needs --key; the bearer token becomes optional.")
    Path clientCert;

    @Option(names = "--key", paramLabel = "FILE",
            description = "The unencrypted PEM PKCS#8 private key of --cert.")
    Path clientKey;

    /**
     * The client certificate of {@code --cert} and {@code --key}, or null when neither is given.
     *
     * @throws UsageException when only one is given or the files cannot be read
     */
    ClientIdentity clientIdentity() {
        if (clientCert == null && clientKey == null) {
            return null;
        }
        if (clientCert == null || clientKey == null) {
            throw new UsageException("--cert and --key go together");
        }
        return ClientIdentity.load(clientCert, clientKey);
    }

    /** The CA file for an https server: {@code --cacert}, else {@code PGSEAL_CACERT}, else none (the JVM's trust store). */
    Path caCertificates() {
        if (cacert != null) {
            return cacert;
        }
        String env = environment.apply(CACERT_VARIABLE);
        return env == null || env.isBlank() ? null : Path.of(env.strip());
    }

    /** The admin API's base URI. */
    URI serverUri() {
        String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        URI u;
        try {
            u = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--server: not a URL: " + server);
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new UsageException("--server: expected http://HOST:PORT or https://HOST:PORT, not " + server);
        }
        return u;
    }

    /**
     * The token from {@code --token-file} or {@code PGSEAL_TOKEN}.
     *
     * @throws UsageException when neither gives one
     */
    String token() {
        if (tokenFile != null) {
            try {
                String t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (t.isEmpty()) {
                    throw new UsageException("--token-file " + tokenFile + " is empty");
                }
                return t;
            } catch (IOException e) {
                throw new UsageException("cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        String t = environment.apply(TOKEN_VARIABLE);
        if (t == null || t.isBlank()) {
            throw new UsageException("no token: set " + TOKEN_VARIABLE + " or pass --token-file FILE "
                    + "(create the first one with: ./pgseal tokens create --config FILE --role admin --name NAME)");
        }
        return t.strip();
    }

    /** As {@link #token()}, or null when neither gives one (a client certificate may be enough). */
    String optionalToken() {
        if (tokenFile == null) {
            String t = environment.apply(TOKEN_VARIABLE);
            if (t == null || t.isBlank()) {
                return null;
            }
        }
        return token();
    }

    /** Bad usage detected after parsing (exit code 2). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
