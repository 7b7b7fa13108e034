package dev.pgseal.wire.app;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.policy.CatalogCheck;
import dev.pgseal.policy.CatalogReport;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyWatcher;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.ReloadOutcome;
import dev.pgseal.wire.ProxyServer;
import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.config.ServerConfig;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running pgseal server: the policy (watched and reloadable), the key service and the wire
 * proxy, started in that order and closed in reverse. Any part that cannot start stops the whole
 * start with one {@link StartupException} whose message says what to fix.
 */
public final class PgsealServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgsealServer.class);

    /** How often due key deletions are carried out. */
    private static final Duration MAINTENANCE_PERIOD = Duration.ofMinutes(10);

    private final Optional<PolicyWatcher> policy;
    private final Optional<KeyService> keys;
    private final ProxyServer proxy;
    private final ScheduledExecutorService maintenance;

    private PgsealServer(Optional<PolicyWatcher> policy, Optional<KeyService> keys, ProxyServer proxy) {
        this.policy = policy;
        this.keys = keys;
        this.proxy = proxy;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgseal-key-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts pgseal from a validated config.
     *
     * @throws StartupException when the policy, the key store, the HSM or the listener cannot be used
     */
    public static PgsealServer start(ServerConfig config) {
        PolicyWatcher watcher = null;
        KeyService keyService = null;
        try {
            if (config.policy().isPresent()) {
                watcher = openPolicy(config);
            }
            if (config.keystore().isPresent() && config.store().isPresent()) {
                keyService = openKeys(config, watcher == null ? Policy.empty() : watcher.current());
            }
            if (watcher != null) {
                checkCatalog(config.store().orElseThrow(), watcher.current());
            }
            ProxyServer proxy = ProxyServer.start(config, hooks(config, watcher));
            PgsealServer server = new PgsealServer(Optional.ofNullable(watcher), Optional.ofNullable(keyService), proxy);
            server.onReloadSignal();
            server.scheduleMaintenance();
            return server;
        } catch (RuntimeException e) {
            closeQuietly(keyService);
            closeQuietly(watcher);
            if (e instanceof StartupException s) {
                throw s;
            }
            throw new StartupException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * The pure relay without a policy or key store; otherwise the fail-closed guard, which follows
     * policy reloads and keeps clients out of schema pgseal.
     */
    private static SessionHooks hooks(ServerConfig config, PolicyWatcher watcher) {
        if (watcher == null && config.keystore().isEmpty()) {
            return SessionHooks.NONE;
        }
        ProtectedTableGuard guard = new ProtectedTableGuard(watcher == null ? Policy.empty() : watcher.current());
        if (watcher != null) {
            watcher.addListener((before, after, changed) -> guard.policyChanged(after));
        }
        return guard;
    }

    private static PolicyWatcher openPolicy(ServerConfig config) {
        try {
            return PolicyWatcher.start(config.policy().orElseThrow());
        } catch (RuntimeException | IOException e) {
            throw new StartupException("policy " + config.policy().orElseThrow() + " cannot be used:\n" + e.getMessage(), e);
        }
    }

    private static KeyService openKeys(ServerConfig config, Policy policy) {
        KeyService service = KeyService.open(config.keystore().orElseThrow(), config.store().orElseThrow(),
                Clock.systemUTC());
        try {
            service.ensureRings(policy.keyNames(), KeyService.SYSTEM_ACTOR);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
    }

    /**
     * The catalog of the store's database must match the policy: every protected column exists
     * and is bytea. A mismatch refuses the start and prints the statements to run.
     */
    private static void checkCatalog(StoreSettings store, Policy policy) {
        Properties props = new Properties();
        props.setProperty("user", store.user());
        store.password().ifPresent(p -> props.setProperty("password", new String(p.read())));
        CatalogReport report;
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), props)) {
            report = CatalogCheck.check(c, policy);
        } catch (SQLException e) {
            throw new StartupException("cannot read the catalog at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
        if (!report.isConsistent()) {
            throw new StartupException("the database does not match the policy:\n" + report.text());
        }
    }

    /**
     * Carries out key deletions whose waiting period has ended; on a policy reload, records the change
     * in the audit log and creates the key ring of a key the policy names for the first time.
     */
    private void scheduleMaintenance() {
        keys.ifPresent(k -> {
            maintenance.scheduleWithFixedDelay(() -> {
                try {
                    List<String> done = k.runDueDeletions(Instant.now());
                    if (!done.isEmpty()) {
                        LOG.info("carried out due key deletions: {}", done);
                    }
                } catch (RuntimeException e) {
                    LOG.error("due key deletions failed; will retry: {}", e.getMessage());
                }
            }, 0, MAINTENANCE_PERIOD.toSeconds(), TimeUnit.SECONDS);
            policy.ifPresent(w -> w.addListener((before, after, changed) -> {
                try {
                    k.recordConfigChange(KeyService.SYSTEM_ACTOR, "policy " + w.file(), Map.of(
                            "changed_tables", changed.stream().map(QualifiedName::toSql).sorted()
                                    .collect(Collectors.joining(", ")),
                            "keys", after.keyNames().stream().sorted().collect(Collectors.joining(", "))));
                    k.ensureRings(after.keyNames(), KeyService.SYSTEM_ACTOR);
                } catch (RuntimeException e) {
                    LOG.error("policy reload: audit event or key rings could not be written: {}", e.getMessage());
                }
            }));
        });
    }

    /** SIGHUP reloads the policy (the file watcher reloads it on change too). */
    private void onReloadSignal() {
        policy.ifPresent(w -> {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                    ReloadOutcome outcome = w.reload();
                    LOG.info("SIGHUP: policy reload: {}", outcome);
                });
            } catch (IllegalArgumentException e) {
                LOG.warn("SIGHUP is not available on this platform; the policy reloads on file change only");
            }
        });
    }

    /**
     * Reloads the policy file now (as SIGHUP does). Returns false when the new policy was rejected
     * (its errors are logged) and the old one stays in force; true when it was applied or unchanged.
     */
    public boolean reloadPolicy() {
        return policy.map(w -> !(w.reload() instanceof ReloadOutcome.Rejected)).orElse(false);
    }

    /** The port clients connect to. */
    public int port() {
        return proxy.port();
    }

    /** The policy in force, if any. */
    public Optional<Policy> policy() {
        return policy.map(PolicyWatcher::current);
    }

    /** The key service, when a key store is configured. */
    public Optional<KeyService> keys() {
        return keys;
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        proxy.close();
        keys.ifPresent(PgsealServer::closeQuietly);
        policy.ifPresent(PgsealServer::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("while closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }
}
