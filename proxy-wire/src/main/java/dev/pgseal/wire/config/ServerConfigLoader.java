package dev.pgseal.wire.config;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.alerts.AlertSettings;
import dev.pgseal.keys.audit.AuditSettings;
import dev.pgseal.policy.yaml.Diagnostics;
import dev.pgseal.policy.yaml.Location;
import dev.pgseal.policy.yaml.YamlFields;
import dev.pgseal.policy.yaml.YamlNode;
import dev.pgseal.policy.yaml.YamlReader;
import dev.pgseal.policy.yaml.YamlScalar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Loads and validates the server config (contract in ARCHITECTURE.md). Every problem is reported
 * at once with file, line and column: unknown keys (with a "did you mean"), bad values, missing
 * required keys, files that do not exist. Secrets are never read from the YAML, only the name of
 * the environment variable or file that holds them. Relative paths are resolved against the
 * config file's folder.
 */
public final class ServerConfigLoader {

    private static final int MIN_MESSAGE_BYTES = 8 * 1024;

    private final Path baseDir;
    private final String fileName;
    private final Diagnostics diagnostics = new Diagnostics();

    private ServerConfigLoader(Path baseDir, String fileName) {
        this.baseDir = baseDir;
        this.fileName = fileName;
    }

    /**
     * Loads {@code file}.
     *
     * @throws InvalidConfigException with every problem found
     */
    public static ServerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            Diagnostics d = new Diagnostics();
            d.error(Location.ofFile(file.toString()), "cannot read config file: " + e.getMessage());
            throw new InvalidConfigException(d.errors());
        }
        Path parent = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), parent);
    }

    /**
     * Parses config text; relative paths resolve against {@code baseDir}.
     *
     * @throws InvalidConfigException with every problem found
     */
    public static ServerConfig parse(String text, String fileName, Path baseDir) {
        return new ServerConfigLoader(baseDir, fileName).read(text);
    }

    private ServerConfig read(String text) {
        Optional<YamlNode> root = YamlReader.read(text, fileName, diagnostics);
        if (root.isEmpty()) {
            if (!diagnostics.hasErrors()) {
                diagnostics.error(Location.ofFile(fileName), "the config file is empty; at least 'upstream' is required");
            }
            throw new InvalidConfigException(diagnostics.errors());
        }
        Optional<YamlFields> top = YamlFields.of(root.get(), "the config file", diagnostics);
        if (top.isEmpty()) {
            throw new InvalidConfigException(diagnostics.errors());
        }
        YamlFields f = top.get();
        f.allowOnly("listen", "upstream", "tls", "policy", "keystore", "store", "admin", "limits", "audit", "alerts");

        ServerConfig.Listen listen = f.map("listen").map(this::listen).orElse(ServerConfig.Listen.DEFAULT);
        f.require("upstream");
        ServerConfig.Upstream upstream = f.map("upstream").map(this::upstream).orElse(null);
        ServerConfig.Tls tls = f.map("tls").map(this::tls).orElse(ServerConfig.Tls.DISABLED);
        Optional<Path> policy = f.scalar("policy").flatMap(s -> existingFile(s, "policy file"));
        Optional<KeystoreSettings> keystore = f.map("keystore").flatMap(this::keystore);
        Optional<StoreSettings> store = f.map("store").flatMap(this::store);
        ServerConfig.Admin admin = f.map("admin").map(this::admin).orElse(ServerConfig.Admin.DEFAULT);
        ServerConfig.Limits limits = f.map("limits").map(this::limits).orElse(ServerConfig.Limits.DEFAULT);
        AuditSettings audit = f.map("audit").map(this::audit).orElse(AuditSettings.DEFAULT);
        AlertSettings alerts = f.map("alerts").map(this::alerts).orElse(AlertSettings.DEFAULT);

        if (keystore.isPresent() && store.isEmpty()) {
            diagnostics.error(f.keyNode("keystore").map(YamlScalar::location).orElse(f.location()),
                    "'keystore' needs a 'store' section: wrapped data keys are kept in PostgreSQL");
        }
        if (policy.isPresent() && keystore.isEmpty()) {
            diagnostics.error(f.keyNode("policy").map(YamlScalar::location).orElse(f.location()),
                    "'policy' needs a 'keystore' and a 'store' section: protected columns need keys");
        }
        if (diagnostics.hasErrors()) {
            throw new InvalidConfigException(diagnostics.errors());
        }
        return new ServerConfig(listen, upstream, tls, policy, keystore, store, admin, limits, audit, alerts);
    }

    /**
     * {@code alerts: {denied_requests, decrypt_volume, deletion_scheduled, key_compromised,
     * config_change, hsm_error, webhook}}: every rule is on with its defaults unless its section says
     * {@code enabled: false} or other thresholds.
     */
    private AlertSettings alerts(YamlFields f) {
        f.allowOnly("denied_requests", "decrypt_volume", "deletion_scheduled", "key_compromised", "config_change",
                "hsm_error", "webhook");
        AlertSettings d = AlertSettings.DEFAULT;
        AlertSettings.DeniedRequests denied = f.map("denied_requests").map(m -> {
            m.allowOnly("enabled", "threshold", "window");
            return build(m, () -> new AlertSettings.DeniedRequests(m.bool("enabled").orElse(true),
                    bounded(m, "threshold", 1, 100_000).orElse(d.deniedRequests().threshold()),
                    m.duration("window").orElse(d.deniedRequests().window())));
        }).orElse(d.deniedRequests());
        AlertSettings.DecryptVolume volume = f.map("decrypt_volume").map(m -> {
            m.allowOnly("enabled", "factor", "floor", "window", "baseline", "actions");
            return build(m, () -> new AlertSettings.DecryptVolume(m.bool("enabled").orElse(true),
                    number(m, "factor").orElse(d.decryptVolume().factor()),
                    bounded(m, "floor", 1, Integer.MAX_VALUE).orElse((int) d.decryptVolume().floor()),
                    m.duration("window").orElse(d.decryptVolume().window()),
                    m.duration("baseline").orElse(d.decryptVolume().baseline()),
                    actions(m).orElse(d.decryptVolume().actions())));
        }).orElse(d.decryptVolume());
        AlertSettings.EventRule deletion = f.map("deletion_scheduled").map(this::eventRule).orElse(d.deletionScheduled());
        AlertSettings.EventRule compromised = f.map("key_compromised").map(this::eventRule).orElse(d.keyCompromised());
        AlertSettings.ConfigChange config = f.map("config_change").map(m -> {
            m.allowOnly("enabled", "window", "actions");
            return build(m, () -> new AlertSettings.ConfigChange(m.bool("enabled").orElse(true),
                    m.duration("window").orElse(d.configChange().window()),
                    actions(m).orElse(d.configChange().actions())));
        }).orElse(d.configChange());
        AlertSettings.HsmError hsm = f.map("hsm_error").map(m -> {
            m.allowOnly("enabled", "window", "check_interval");
            return build(m, () -> new AlertSettings.HsmError(m.bool("enabled").orElse(true),
                    m.duration("window").orElse(d.hsmError().window()),
                    m.duration("check_interval").orElse(d.hsmError().checkInterval())));
        }).orElse(d.hsmError());
        Optional<AlertSettings.Webhook> webhook = f.map("webhook").map(this::webhook).orElse(null);
        return new AlertSettings(denied == null ? d.deniedRequests() : denied, volume == null ? d.decryptVolume() : volume,
                deletion == null ? d.deletionScheduled() : deletion, compromised == null ? d.keyCompromised() : compromised,
                config == null ? d.configChange() : config, hsm == null ? d.hsmError() : hsm,
                webhook == null ? Optional.empty() : webhook);
    }

    private AlertSettings.EventRule eventRule(YamlFields m) {
        m.allowOnly("enabled", "window");
        return build(m, () -> new AlertSettings.EventRule(m.bool("enabled").orElse(true),
                m.duration("window").orElse(AlertSettings.EventRule.DEFAULT.window())));
    }

    /** {@code webhook: {url, timeout, retries, queue, secret_env | secret_file}}. */
    private Optional<AlertSettings.Webhook> webhook(YamlFields m) {
        m.allowOnly("url", "timeout", "retries", "queue", "secret_env", "secret_file");
        m.require("url");
        Optional<java.net.URI> url = m.scalar("url").flatMap(s -> {
            try {
                return Optional.of(java.net.URI.create(s.value().trim()));
            } catch (IllegalArgumentException e) {
                diagnostics.error(s, "'url' is not a URL: " + e.getMessage());
                return Optional.empty();
            }
        });
        Optional<SecretSource> secret = m.has("secret_env") || m.has("secret_file") ? secret(m, "secret")
                : Optional.empty();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        AlertSettings.Webhook w = build(m, () -> new AlertSettings.Webhook(url.get(),
                m.duration("timeout").orElse(AlertSettings.Webhook.DEFAULT_TIMEOUT),
                bounded(m, "retries", 0, 10).orElse(AlertSettings.Webhook.DEFAULT_RETRIES),
                bounded(m, "queue", 1, 100_000).orElse(AlertSettings.Webhook.DEFAULT_QUEUE), secret));
        return Optional.ofNullable(w);
    }

    /** An {@code actions} list of audit action names. */
    private Optional<java.util.List<String>> actions(YamlFields m) {
        return m.scalarList("actions", true).map(l -> l.stream().map(s -> s.value().trim()).toList());
    }

    /** A positive decimal number. */
    private Optional<Double> number(YamlFields m, String key) {
        Optional<YamlScalar> s = m.scalar(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Double.parseDouble(s.get().value().trim()));
        } catch (NumberFormatException e) {
            diagnostics.error(s.get(), "'" + key + "' must be a number, not '" + s.get().value() + "'");
            return Optional.empty();
        }
    }

    /** The settings {@code make} builds, or null with the range error reported at the section. */
    private <T> T build(YamlFields m, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            diagnostics.error(m.location(), e.getMessage());
            return null;
        }
    }

    /** {@code audit: {checkpoint_file, checkpoint_interval, key_label}}; the file may not exist yet. */
    private AuditSettings audit(YamlFields f) {
        f.allowOnly("checkpoint_file", "checkpoint_interval", "key_label");
        Optional<Path> file = f.scalar("checkpoint_file").map(this::path);
        Optional<Duration> interval = f.duration("checkpoint_interval");
        interval.filter(d -> d.isZero() || d.isNegative()).ifPresent(d -> diagnostics.error(
                f.scalar("checkpoint_interval").get(), "'checkpoint_interval' must be positive"));
        return new AuditSettings(file, interval.filter(d -> !d.isZero() && !d.isNegative()).orElse(null),
                f.string("key_label").orElse(null));
    }

    private ServerConfig.Listen listen(YamlFields f) {
        f.allowOnly("host", "port");
        return new ServerConfig.Listen(f.string("host").orElse(ServerConfig.Listen.DEFAULT.host()),
                port(f, "port").orElse(ServerConfig.Listen.DEFAULT.port()));
    }

    private ServerConfig.Upstream upstream(YamlFields f) {
        f.allowOnly("host", "port", "tls", "ca");
        ServerConfig.UpstreamTls tls = upstreamTls(f).orElse(ServerConfig.UpstreamTls.DISABLE);
        Optional<Path> ca = f.scalar("ca").flatMap(s -> existingFile(s, "CA certificate file"));
        if (f.has("ca") && tls != ServerConfig.UpstreamTls.VERIFY_FULL) {
            f.keyNode("ca").ifPresent(n -> diagnostics.error(n,
                    "'ca' is used only with 'tls: verify-full' (it would check nothing otherwise)"));
        }
        return new ServerConfig.Upstream(f.string("host").orElse("127.0.0.1"), port(f, "port").orElse(5432), tls, ca);
    }

    /** {@code disable | require | verify-full}, spelled as libpq spells sslmode. */
    private Optional<ServerConfig.UpstreamTls> upstreamTls(YamlFields f) {
        Optional<YamlScalar> s = f.scalar("tls");
        if (s.isEmpty()) {
            return Optional.empty();
        }
        switch (s.get().value().trim()) {
            case "disable":
                return Optional.of(ServerConfig.UpstreamTls.DISABLE);
            case "require":
                return Optional.of(ServerConfig.UpstreamTls.REQUIRE);
            case "verify-full":
                return Optional.of(ServerConfig.UpstreamTls.VERIFY_FULL);
            default:
                diagnostics.error(s.get(), "invalid value '" + s.get().value() + "' for 'tls'; expected one of: "
                        + "disable, require, verify-full");
                return Optional.empty();
        }
    }

    private ServerConfig.Tls tls(YamlFields f) {
        f.allowOnly("mode", "cert", "key");
        ServerConfig.ClientTlsMode mode = f.enumValue("mode", ServerConfig.ClientTlsMode.class)
                .orElse(ServerConfig.ClientTlsMode.DISABLE);
        Optional<Path> cert = f.scalar("cert").flatMap(s -> existingFile(s, "certificate"));
        Optional<Path> key = f.scalar("key").flatMap(s -> existingFile(s, "private key"));
        if (mode != ServerConfig.ClientTlsMode.DISABLE) {
            if (!f.has("cert")) {
                diagnostics.error(f.location(), "tls mode '" + mode.name().toLowerCase() + "' needs 'cert' (a PEM certificate)");
            }
            if (!f.has("key")) {
                diagnostics.error(f.location(), "tls mode '" + mode.name().toLowerCase() + "' needs 'key' (a PEM private key)");
            }
        }
        return new ServerConfig.Tls(mode, cert, key);
    }

    private Optional<KeystoreSettings> keystore(YamlFields f) {
        f.allowOnly("type", "library", "token_label", "pin_env", "pin_file", "master_key_label",
                "file", "passphrase_env", "passphrase_file");
        f.require("type");
        Optional<KeystoreSettings.Type> type = f.enumValue("type", KeystoreSettings.Type.class);
        String label = f.string("master_key_label").orElse(KeystoreSettings.DEFAULT_MASTER_KEY_LABEL);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        if (type.get() == KeystoreSettings.Type.PKCS11) {
            f.require("library");
            f.require("token_label");
            Optional<Path> library = f.scalar("library").flatMap(s -> existingFile(s, "PKCS#11 library"));
            Optional<SecretSource> pin = secret(f, "pin");
            rejectKeys(f, "for type pkcs11", "file", "passphrase_env", "passphrase_file");
            return Optional.of(new KeystoreSettings(type.get(), library, f.string("token_label"), pin, label,
                    Optional.empty(), Optional.empty()));
        }
        f.require("file");
        Optional<Path> file = f.scalar("file").map(this::path);
        Optional<SecretSource> passphrase = secret(f, "passphrase");
        rejectKeys(f, "for type software", "library", "token_label", "pin_env", "pin_file");
        return Optional.of(new KeystoreSettings(type.get(), Optional.empty(), Optional.empty(), Optional.empty(), label,
                file, passphrase));
    }

    private Optional<StoreSettings> store(YamlFields f) {
        f.allowOnly("url", "user", "password_env", "password_file", "pool_size");
        f.require("url");
        Optional<String> url = f.string("url");
        url.filter(u -> !u.startsWith("jdbc:postgresql://")).ifPresent(u -> diagnostics.error(
                f.scalar("url").get(), "'url' must be a PostgreSQL JDBC URL starting with jdbc:postgresql://"));
        Optional<SecretSource> password = f.has("password_env") || f.has("password_file")
                ? secret(f, "password") : Optional.empty();
        OptionalInt pool = f.integer("pool_size");
        if (pool.isPresent() && (pool.getAsInt() < 1 || pool.getAsInt() > 100)) {
            diagnostics.error(f.scalar("pool_size").get(), "'pool_size' must be between 1 and 100");
        }
        return url.map(u -> new StoreSettings(u, f.string("user").orElse("postgres"), password,
                pool.orElse(StoreSettings.DEFAULT_POOL_SIZE)));
    }

    private ServerConfig.Admin admin(YamlFields f) {
        f.allowOnly("host", "port", "tls");
        Optional<ServerConfig.AdminTls> tls = f.map("tls").flatMap(t -> {
            // As the proxy's client-side tls: PEM certificate and PEM private key files; client_ca
            // (optional) is the PEM bundle of the CAs whose client certificates are verified.
            t.allowOnly("cert", "key", "client_ca");
            t.require("cert");
            t.require("key");
            Optional<Path> cert = t.scalar("cert").flatMap(s -> existingFile(s, "certificate"));
            Optional<Path> key = t.scalar("key").flatMap(s -> existingFile(s, "private key"));
            Optional<Path> clientCa = t.scalar("client_ca").flatMap(s -> existingFile(s, "client CA certificate file"));
            if (t.has("client_ca") && clientCa.isEmpty()) {
                return Optional.empty(); // the error is reported; never serve without the client CA asked for
            }
            return cert.isPresent() && key.isPresent()
                    ? Optional.of(new ServerConfig.AdminTls(cert.get(), key.get(), clientCa)) : Optional.empty();
        });
        return new ServerConfig.Admin(f.string("host").orElse(ServerConfig.Admin.DEFAULT.host()),
                port(f, "port").orElse(ServerConfig.Admin.DEFAULT.port()), tls);
    }

    private ServerConfig.Limits limits(YamlFields f) {
        f.allowOnly("max_message_bytes", "max_client_connections", "max_startup_message_bytes",
                "max_connections_per_address", "max_buffered_bytes");
        ServerConfig.Limits d = ServerConfig.Limits.DEFAULT;
        int bytes = bounded(f, "max_message_bytes", MIN_MESSAGE_BYTES, Integer.MAX_VALUE - 8)
                .orElse(d.maxMessageBytes());
        int conns = bounded(f, "max_client_connections", 1, 1_000_000).orElse(d.maxClientConnections());
        // Below 1 KiB a SCRAM exchange with a long user name no longer fits.
        int startupBytes = bounded(f, "max_startup_message_bytes", 1024, 1024 * 1024)
                .orElse(d.maxStartupMessageBytes());
        int perAddress = bounded(f, "max_connections_per_address", 1, 1_000_000).orElse(d.maxConnectionsPerAddress());
        long buffered = boundedLong(f, "max_buffered_bytes", 1024L * 1024, 1L << 40).orElse(d.maxBufferedBytes());
        if (startupBytes > bytes) {
            f.keyNode("max_startup_message_bytes").ifPresent(n -> diagnostics.error(n,
                    "'max_startup_message_bytes' (" + startupBytes + ") must not exceed 'max_message_bytes' (" + bytes + ")"));
        }
        return new ServerConfig.Limits(bytes, conns, Math.min(startupBytes, bytes), perAddress, buffered);
    }

    private Optional<Long> boundedLong(YamlFields f, String key, long min, long max) {
        Optional<YamlScalar> s = f.scalar(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        long v;
        try {
            v = Long.parseLong(s.get().value().trim());
        } catch (NumberFormatException e) {
            diagnostics.error(s.get(), "'" + key + "' must be a whole number, not '" + s.get().value() + "'");
            return Optional.empty();
        }
        if (v < min || v > max) {
            diagnostics.error(s.get(), "'" + key + "' must be between " + min + " and " + max + ", not " + v);
            return Optional.empty();
        }
        return Optional.of(v);
    }

    /** The secret named by {@code <prefix>_env} or {@code <prefix>_file}: exactly one is required. */
    private Optional<SecretSource> secret(YamlFields f, String prefix) {
        boolean env = f.has(prefix + "_env");
        boolean file = f.has(prefix + "_file");
        if (env == file) {
            diagnostics.error(f.location(), "exactly one of '" + prefix + "_env' (an environment variable) and '"
                    + prefix + "_file' (a file) is required; secrets never go in the config itself");
            return Optional.empty();
        }
        return env ? f.string(prefix + "_env").map(SecretSource::env)
                : f.scalar(prefix + "_file").flatMap(s -> existingFile(s, "secret file")).map(SecretSource::file);
    }

    private void rejectKeys(YamlFields f, String why, String... keys) {
        for (String k : keys) {
            f.keyNode(k).ifPresent(n -> diagnostics.error(n, "'" + k + "' is not used " + why));
        }
    }

    private OptionalInt port(YamlFields f, String key) {
        return bounded(f, key, 0, 65535);
    }

    private OptionalInt bounded(YamlFields f, String key, int min, int max) {
        OptionalInt v = f.integer(key);
        if (v.isPresent() && (v.getAsInt() < min || v.getAsInt() > max)) {
            diagnostics.error(f.scalar(key).get(), "'" + key + "' must be between " + min + " and " + max
                    + ", not " + v.getAsInt());
            return OptionalInt.empty();
        }
        return v;
    }

    private Path path(YamlScalar s) {
        return baseDir.resolve(s.value().trim()).normalize();
    }

    private Optional<Path> existingFile(YamlScalar s, String what) {
        Path p = path(s);
        if (!Files.isRegularFile(p)) {
            diagnostics.error(s, what + " '" + s.value() + "' does not exist (looked for " + p + ")");
            return Optional.empty();
        }
        if (!Files.isReadable(p)) {
            diagnostics.error(s, what + " '" + s.value() + "' is not readable");
            return Optional.empty();
        }
        return Optional.of(p);
    }
}
