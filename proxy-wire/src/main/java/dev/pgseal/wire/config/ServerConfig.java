package dev.pgseal.wire.config;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.StoreSettings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The server configuration ({@code ./pgseal serve --config FILE}), as loaded and validated by
 * {@link ServerConfigLoader}. Immutable; relative paths are already resolved against the config
 * file's folder.
 */
public record ServerConfig(
        Listen listen,
        Upstream upstream,
        Tls tls,
        Optional<Path> policy,
        Optional<KeystoreSettings> keystore,
        Optional<StoreSettings> store,
        Admin admin,
        Limits limits) {

    public ServerConfig {
        Objects.requireNonNull(listen);
        Objects.requireNonNull(upstream);
        Objects.requireNonNull(tls);
        Objects.requireNonNull(policy);
        Objects.requireNonNull(keystore);
        Objects.requireNonNull(store);
        Objects.requireNonNull(admin);
        Objects.requireNonNull(limits);
    }

    /** A plain proxy from {@code listen} to {@code upstream} with every other setting at its default. */
    public static ServerConfig plain(Listen listen, Upstream upstream) {
        return new ServerConfig(listen, upstream, Tls.DISABLED, Optional.empty(), Optional.empty(),
                Optional.empty(), Admin.DEFAULT, Limits.DEFAULT);
    }

    /** Returns a copy with other TLS settings. */
    public ServerConfig withTls(Tls newTls) {
        return new ServerConfig(listen, upstream, newTls, policy, keystore, store, admin, limits);
    }

    /** Returns a copy with other limits. */
    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(listen, upstream, tls, policy, keystore, store, admin, newLimits);
    }

    /** Where pgseal accepts client connections. Port 0 picks a free port (tests). */
    public record Listen(String host, int port) {
        public static final Listen DEFAULT = new Listen("127.0.0.1", 6543);
    }

    /** The PostgreSQL server pgseal connects to, one backend connection per client session. */
    public record Upstream(String host, int port, UpstreamTls tls) {
    }

    /** TLS towards PostgreSQL. */
    public enum UpstreamTls {
        /** Plain TCP. */
        DISABLE,
        /** TLS without certificate checks. */
        REQUIRE,
        /** TLS; the server certificate must chain to the JVM's trust store and match the host. */
        VERIFY_FULL
    }

    /** TLS towards clients: pgseal terminates it with {@code cert} and {@code key} (PEM files). */
    public record Tls(ClientTlsMode mode, Optional<Path> cert, Optional<Path> key) {
        public static final Tls DISABLED = new Tls(ClientTlsMode.DISABLE, Optional.empty(), Optional.empty());
    }

    /** Whether clients may or must use TLS. */
    public enum ClientTlsMode {
        /** SSLRequest is answered 'N'. */
        DISABLE,
        /** SSLRequest is answered 'S'; plain connections are accepted too. */
        PREFER,
        /** Plain connections are refused with an error (SQLSTATE 28000). */
        REQUIRE
    }

    /** The admin HTTP API. */
    public record Admin(String host, int port) {
        public static final Admin DEFAULT = new Admin("127.0.0.1", 6544);
    }

    /** Protective limits. */
    public record Limits(int maxMessageBytes, int maxClientConnections) {
        public static final Limits DEFAULT = new Limits(64 * 1024 * 1024, 2000);
    }
}
