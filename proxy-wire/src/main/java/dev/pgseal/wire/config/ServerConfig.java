package dev.pgseal.wire.config;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.alerts.AlertSettings;
import java.nio.file.Path;
import dev.pgseal.keys.audit.AuditSettings;
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
        Limits limits,
        AuditSettings audit,
        AlertSettings alerts) {

    public ServerConfig {
        Objects.requireNonNull(listen);
        Objects.requireNonNull(upstream);
        Objects.requireNonNull(tls);
        Objects.requireNonNull(policy);
        Objects.requireNonNull(keystore);
        Objects.requireNonNull(store);
        Objects.requireNonNull(admin);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(audit);
        Objects.requireNonNull(alerts);
    }

    /** A config with the default {@code alerts} section (every rule on, no webhook). */
    public ServerConfig(Listen listen, Upstream upstream, Tls tls, Optional<Path> policy,
            Optional<KeystoreSettings> keystore, Optional<StoreSettings> store, Admin admin, Limits limits,
            AuditSettings audit) {
        this(listen, upstream, tls, policy, keystore, store, admin, limits, audit, AlertSettings.DEFAULT);
    }

    /** A config with the default {@code audit} section (no checkpoint file). */
    public ServerConfig(Listen listen, Upstream upstream, Tls tls, Optional<Path> policy,
            Optional<KeystoreSettings> keystore, Optional<StoreSettings> store, Admin admin, Limits limits) {
        this(listen, upstream, tls, policy, keystore, store, admin, limits, AuditSettings.DEFAULT);
    }

    /** A plain proxy from {@code listen} to {@code upstream} with every other setting at its default. */
    public static ServerConfig plain(Listen listen, Upstream upstream) {
        return new ServerConfig(listen, upstream, Tls.DISABLED, Optional.empty(), Optional.empty(),
                Optional.empty(), Admin.DEFAULT, Limits.DEFAULT);
    }

    /** Returns a copy with other TLS settings. */
    public ServerConfig withTls(Tls newTls) {
        return new ServerConfig(listen, upstream, newTls, policy, keystore, store, admin, limits, audit, alerts);
    }

    /** Returns a copy with other limits. */
    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(listen, upstream, tls, policy, keystore, store, admin, newLimits, audit, alerts);
    }

    /** Returns a copy with other alert settings. */
    public ServerConfig withAlerts(AlertSettings newAlerts) {
        return new ServerConfig(listen, upstream, tls, policy, keystore, store, admin, limits, audit, newAlerts);
    }

    /** Returns a copy with another admin listener. */
    public ServerConfig withAdmin(Admin newAdmin) {
        return new ServerConfig(listen, upstream, tls, policy, keystore, store, newAdmin, limits, audit, alerts);
    }

    /** Where pgseal accepts client connections. Port 0 picks a free port (tests). */
    public record Listen(String host, int port) {
        public static final Listen DEFAULT = new Listen("127.0.0.1", 6543);
    }

    /**
     * The PostgreSQL server pgseal connects to, one backend connection per client session.
     *
     * @param ca PEM file of the certificate authorities trusted for {@code verify-full} instead of
     *     the JVM's trust store (a private CA); the host name is checked either way
     */
    public record Upstream(String host, int port, UpstreamTls tls, Optional<Path> ca) {
        public Upstream {
            Objects.requireNonNull(host);
            Objects.requireNonNull(tls);
            Objects.requireNonNull(ca);
        }

        /** Without a CA file: {@code verify-full} uses the JVM's trust store. */
        public Upstream(String host, int port, UpstreamTls tls) {
            this(host, port, tls, Optional.empty());
        }
    }

    /** TLS towards PostgreSQL. */
    public enum UpstreamTls {
        /** Plain TCP. */
        DISABLE,
        /** TLS without certificate checks. */
        REQUIRE,
        /** TLS; the server certificate must chain to {@code upstream.ca} (or the JVM's trust store) and match the host. */
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

    /**
     * The admin HTTP API.
     *
     * @param tls HTTPS with this certificate and key; empty: plain HTTP
     */
    public record Admin(String host, int port, Optional<AdminTls> tls) {
        public static final Admin DEFAULT = new Admin("127.0.0.1", 6544);

        public Admin {
            Objects.requireNonNull(host);
            Objects.requireNonNull(tls);
        }

        /** Plain HTTP. */
        public Admin(String host, int port) {
            this(host, port, Optional.empty());
        }
    }

    /**
     * TLS on the admin listener: a PEM certificate (chain) and its PEM private key (PKCS#8).
     *
     * @param clientCa PEM bundle of the CAs that issue client certificates; when present the
     *     handshake asks for a client certificate (optional: a bearer token still works) and verifies
     *     it against these CAs, and a verified certificate registered to a principal authenticates it
     */
    public record AdminTls(Path cert, Path key, Optional<Path> clientCa) {
        public AdminTls {
            Objects.requireNonNull(cert);
            Objects.requireNonNull(key);
            Objects.requireNonNull(clientCa);
        }

        /** No client certificates. */
        public AdminTls(Path cert, Path key) {
            this(cert, key, Optional.empty());
        }
    }

    /**
     * Protective limits.
     *
     * @param maxMessageBytes the largest client message once PostgreSQL has authenticated the session
     * @param maxClientConnections sessions admitted at once, over all addresses
     * @param maxStartupMessageBytes the largest client message before PostgreSQL's AuthenticationOk
     *     (password, SASL messages): an unauthenticated client cannot make pgseal buffer more
     * @param maxConnectionsPerAddress connections from one client IP address at once, counted from
     *     accept (before any startup packet)
     * @param maxBufferedBytes bytes all sessions together may hold in partial messages
     */
    public record Limits(int maxMessageBytes, int maxClientConnections, int maxStartupMessageBytes,
                         int maxConnectionsPerAddress, long maxBufferedBytes) {
        public static final int DEFAULT_MAX_STARTUP_MESSAGE_BYTES = 8 * 1024;
        public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 100;
        public static final long DEFAULT_MAX_BUFFERED_BYTES = 256L * 1024 * 1024;
        public static final Limits DEFAULT = new Limits(64 * 1024 * 1024, 2000);

        public Limits {
            if (maxMessageBytes < 4 || maxStartupMessageBytes < 4) {
                throw new IllegalArgumentException("message limits must be at least 4 bytes");
            }
            if (maxClientConnections < 1 || maxConnectionsPerAddress < 1 || maxBufferedBytes < 1) {
                throw new IllegalArgumentException("connection and buffer limits must be positive");
            }
        }

        /** The two historic limits; the pre-authentication limits at their defaults. */
        public Limits(int maxMessageBytes, int maxClientConnections) {
            this(maxMessageBytes, maxClientConnections, Math.min(DEFAULT_MAX_STARTUP_MESSAGE_BYTES, maxMessageBytes),
                    DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_BUFFERED_BYTES);
        }

        /** Returns a copy with other pre-authentication limits. */
        public Limits withPreAuthentication(int startupMessageBytes, int connectionsPerAddress, long bufferedBytes) {
            return new Limits(maxMessageBytes, maxClientConnections, startupMessageBytes, connectionsPerAddress, bufferedBytes);
        }
    }
}
