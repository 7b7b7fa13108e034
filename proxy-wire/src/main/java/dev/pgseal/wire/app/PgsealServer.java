package dev.pgseal.wire.app;

import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.alerts.Alerts;
import dev.pgseal.policy.CatalogCheck;
import dev.pgseal.policy.CatalogReport;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyWatcher;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.ReloadOutcome;
import dev.pgseal.wire.ProxyServer;
import dev.pgseal.wire.admin.AdminServer;
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
import java.util.concurrent.ExecutorService;
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
    private final Optional<AdminServer> admin;
    private final Optional<Alerts> alerts;
    private final ScheduledExecutorService maintenance;

    private PgsealServer(Optional<PolicyWatcher> policy, Optional<KeyService> keys, ProxyServer proxy,
            Optional<AdminServer> admin, Optional<Alerts> alerts) {
        this.policy = policy;
        this.keys = keys;
        this.proxy = proxy;
        this.admin = admin;
        this.alerts = alerts;
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
        ProxyServer proxy = null;
        AdminServer adminServer = null;
        Alerts alerts = null;
        try {
            if (config.policy().isPresent()) {
                watcher = openPolicy(config);
            }
            if (config.keystore().isPresent() && config.store().isPresent()) {
                keyService = openKeys(config, watcher == null ? Policy.empty() : watcher.current());
                alerts = Alerts.start(config.alerts(), keyService, Clock.systemUTC());
            }
            ConcurrentStatsCounter planCacheStats = new ConcurrentStatsCounter();
            SessionHooks hooks = hooks(config, watcher, keyService, planCacheStats);
            proxy = ProxyServer.start(config, hooks);
            adminServer = startAdmin(config, keyService);
            if (alerts != null) {
                adminServer.metrics().bindAlerts(alerts);
            }
            if (hooks != SessionHooks.NONE) {
                adminServer.metrics().bindPlanCache(planCacheStats);
            }
            PgsealServer server = new PgsealServer(Optional.ofNullable(watcher), Optional.ofNullable(keyService), proxy,
                    Optional.of(adminServer), Optional.ofNullable(alerts));
            server.onReloadSignal();
            server.scheduleMaintenance();
            return server;
        } catch (RuntimeException e) {
            closeQuietly(adminServer);
            closeQuietly(proxy);
            closeQuietly(alerts);
            closeQuietly(keyService);
            closeQuietly(watcher);
            if (e instanceof StartupException s) {
                throw s;
            }
            throw new StartupException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * The pure relay without a policy or key store; otherwise {@link PolicyEnforcement}: the key
     * store's database is never served, a covered database only once its catalog matches the policy
     * (the databases the policy lists are checked now, the others at their first session), and the
     * fail-closed guard screens every statement. Both follow policy reloads.
     */
    private static SessionHooks hooks(ServerConfig config, PolicyWatcher watcher, KeyService keyService,
            StatsCounter planCacheStats) {
        if (watcher == null && config.keystore().isEmpty()) {
            return SessionHooks.NONE;
        }
        Policy initial = watcher == null ? Policy.empty() : watcher.current();
        String storeDatabase = config.store().map(PgsealServer::storeDatabase).orElse("");
        refuseStoreInsidePolicy(initial, storeDatabase, config);
        ProtectedTableGuard guard = new ProtectedTableGuard(initial, planCacheStats);
        EncryptingSession.Keys sessionKeys = keyService == null ? null : EncryptingSession.Keys.of(keyService, KEY_LOADS);
        PolicyEnforcement enforcement = new PolicyEnforcement(
                watcher == null ? Policy::empty : watcher::current, storeDatabase,
                database -> openCatalog(config, database), CATALOG_CHECKS, guard, sessionKeys);
        if (keyService != null) {
            warmLater(keyService, initial);
        }
        if (watcher != null) {
            watcher.addListener((before, after, changed) -> {
                guard.policyChanged(after);
                enforcement.policyChanged();
                if (keyService != null) {
                    warmLater(keyService, after);
                }
            });
        }
        for (String database : initial.databases().orElse(List.of())) {
            checkListedDatabase(enforcement, database);
        }
        return enforcement;
    }

    /** Key unwraps (warming at start and reload, a session's miss) run here, never on an event loop. */
    private static final ExecutorService KEY_LOADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pgseal-key-load");
        t.setDaemon(true);
        return t;
    });

    /**
     * Unwraps every live key version of the policy's rings off the event loop, so the first sessions
     * find them in memory; a ring that fails is logged, and sessions that need it load it again.
     */
    private static void warmLater(KeyService keys, Policy policy) {
        if (policy.keyNames().isEmpty()) {
            return;
        }
        keys.warmAsync(policy.keyNames(), KEY_LOADS).whenComplete((n, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                LOG.warn("warming key rings {} failed; sessions will load them on demand: {}", policy.keyNames(),
                        cause.getMessage());
            } else {
                LOG.info("key rings {} warmed: {} key versions in memory", policy.keyNames(), n);
            }
        });
    }

    /** Catalog checks of databases seen for the first time run here, never on an event loop. */
    private static final ExecutorService CATALOG_CHECKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pgseal-catalog-check");
        t.setDaemon(true);
        return t;
    });

    /** The store must live in a database of its own: never one the policy covers (contract). */
    private static void refuseStoreInsidePolicy(Policy policy, String storeDatabase, ServerConfig config) {
        if (!storeDatabase.isEmpty() && policy.databases().map(l -> l.contains(storeDatabase)).orElse(false)) {
            throw new StartupException("store.url points at database \"" + storeDatabase + "\", which the policy "
                    + "covers (databases: " + policy.databases().orElseThrow() + "); the key store needs a database of "
                    + "its own, e.g. CREATE DATABASE pgseal_store OWNER pgseal_store, and store.url pointing at it");
        }
    }

    private static void checkListedDatabase(PolicyEnforcement enforcement, String database) {
        Optional<CatalogReport> mismatch;
        try {
            mismatch = enforcement.checkNow(database);
        } catch (SQLException e) {
            throw new StartupException("cannot read the catalog of database \"" + database + "\" (listed in the "
                    + "policy): " + e.getMessage(), e);
        }
        mismatch.ifPresent(report -> {
            throw new StartupException("database \"" + database + "\" does not match the policy:\n" + report.text());
        });
    }

    /** The database name in a PostgreSQL JDBC URL. */
    static String storeDatabase(StoreSettings store) {
        Properties parsed = org.postgresql.Driver.parseURL(store.jdbcUrl(), new Properties());
        if (parsed == null) {
            throw new StartupException("store.url is not a PostgreSQL JDBC URL: " + store.redactedUrl());
        }
        String db = parsed.getProperty("PGDBNAME", "");
        return db.isEmpty() ? parsed.getProperty("user", store.user()) : db;
    }

    /**
     * A connection to {@code database} on the upstream server for catalog checks, as the store's role
     * (it needs only CONNECT on the database: the catalog is readable by every role).
     */
    private static Connection openCatalog(ServerConfig config, String database) throws SQLException {
        StoreSettings store = config.store().orElseThrow(() ->
                new SQLException("a policy needs a key store (store.url) to check databases"));
        Properties props = new Properties();
        props.setProperty("user", store.user());
        store.password().ifPresent(p -> props.setProperty("password", new String(p.read())));
        props.setProperty("ApplicationName", "pgseal catalog check");
        props.setProperty("connectTimeout", "10");
        switch (config.upstream().tls()) {
            case DISABLE -> props.setProperty("sslmode", "disable");
            case REQUIRE -> props.setProperty("sslmode", "require");
            case VERIFY_FULL -> {
                // As the proxy's own upstream connections: upstream.ca, else the JVM's trust store; the
                // host name is checked either way.
                props.setProperty("sslmode", "verify-full");
                config.upstream().ca().ifPresentOrElse(
                        ca -> props.setProperty("sslrootcert", ca.toAbsolutePath().toString()),
                        () -> props.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory"));
            }
        }
        String url = "jdbc:postgresql://" + hostForUrl(config.upstream().host()) + ":" + config.upstream().port() + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        return DriverManager.getConnection(url, props);
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
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
                config.audit(), Clock.systemUTC(), KeyCacheSettings.DEFAULT);
        try {
            service.ensureRings(policy.keyNames(), KeyService.SYSTEM_ACTOR);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
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

    /** The alert rules, when a key store is configured. */
    public Optional<Alerts> alerts() {
        return alerts;
    }

    /** The key service, when a key store is configured. */
    public Optional<KeyService> keys() {
        return keys;
    }

    /** The admin API on {@code admin.host:port}; without a key service only health and metrics answer. */
    private static AdminServer startAdmin(ServerConfig config, KeyService keyService) {
        AdminServer.Settings settings = AdminServer.Settings.DEFAULT;
        if (config.admin().tls().isPresent()) {
            ServerConfig.AdminTls tls = config.admin().tls().get();
            try {
                settings = settings.withTls(AdminServer.serverTls(tls.cert(), tls.key(), tls.clientCa()));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage() + " (admin.tls.cert, admin.tls.key, admin.tls.client_ca)", e);
            }
        }
        try {
            return AdminServer.start(config.admin().host(), config.admin().port(), keyService, settings);
        } catch (RuntimeException e) {
            throw new StartupException("the admin API cannot listen on " + config.admin().host() + ":"
                    + config.admin().port() + " (admin.host, admin.port): " + e.getMessage(), e);
        }
    }

    /** The port of the admin API. */
    public int adminPort() {
        return admin.map(AdminServer::port).orElse(-1);
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        admin.ifPresent(PgsealServer::closeQuietly);
        proxy.close();
        alerts.ifPresent(PgsealServer::closeQuietly); // before the key service: alert events go to its audit log
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
