package dev.pgseal.wire.app;

import dev.pgseal.policy.CatalogCheck;
import dev.pgseal.policy.CatalogReport;
import dev.pgseal.policy.Policy;
import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which sessions pgseal serves, and how, while a policy is in force.
 *
 * <ul>
 *   <li>The key store's own database is never served: no client session reaches schema
 *       {@code pgseal} through the proxy, whatever its search_path or privileges.</li>
 *   <li>A database the policy does not cover is relayed untouched.</li>
 *   <li>A covered database is served only once its catalog matches the policy (protected columns are
 *       {@code bytea} and carry the envelope CHECK constraint). The check runs off the event loop at
 *       start for the databases the policy lists and at the first session of any other covered
 *       database; its verdict is cached until the policy changes. A database that does not match is
 *       refused (SQLSTATE 55000) and the statements to run are logged; one that holds none of the
 *       policy's tables is served with the fail-closed guard all the same, so a protected table's name
 *       cannot be created or used through pgseal without its constraint.</li>
 * </ul>
 */
public final class PolicyEnforcement implements SessionHooks {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyEnforcement.class);

    /** Opens a connection to one upstream database for catalog checks. */
    @FunctionalInterface
    public interface CatalogConnector {
        /** A new connection to {@code database} on the upstream server. */
        Connection open(String database) throws SQLException;
    }

    /** The outcome of a catalog check of one database. */
    sealed interface Verdict {
        /** The catalog matches the policy (or holds none of its tables). */
        record Serve() implements Verdict {
        }

        /** The catalog does not match: sessions are refused until it does. */
        record Refuse(String summary) implements Verdict {
        }
    }

    private final Supplier<Policy> policy;
    private final String storeDatabase;
    private final CatalogConnector catalog;
    private final Executor blocking;
    private final ProtectedTableGuard guard;
    private final Map<String, CompletableFuture<Verdict>> verdicts = new ConcurrentHashMap<>();

    /**
     * @param policy the policy in force (read at each decision, so reloads apply)
     * @param storeDatabase the name of the key store's database
     * @param catalog opens connections for catalog checks
     * @param blocking where catalog checks run (never an event loop)
     * @param guard the per-session statement guard
     */
    public PolicyEnforcement(Supplier<Policy> policy, String storeDatabase, CatalogConnector catalog, Executor blocking,
            ProtectedTableGuard guard) {
        this.policy = policy;
        this.storeDatabase = storeDatabase;
        this.catalog = catalog;
        this.blocking = blocking;
        this.guard = guard;
    }

    /** Forgets every cached verdict: the next session of each database checks its catalog again. */
    public void policyChanged() {
        verdicts.clear();
    }

    /**
     * Checks {@code database} now, on the calling thread, and caches the verdict. Used at start for the
     * databases the policy lists.
     *
     * @return the report when the catalog does not match, else empty
     * @throws SQLException when the catalog cannot be read
     */
    public Optional<CatalogReport> checkNow(String database) throws SQLException {
        CatalogReport report = readCatalog(database);
        Verdict verdict = verdictOf(database, report);
        verdicts.put(database, CompletableFuture.completedFuture(verdict));
        return verdict instanceof Verdict.Refuse ? Optional.of(report) : Optional.empty();
    }

    @Override
    public CompletionStage<Optional<SessionRefusal>> admit(SessionInfo session) {
        String database = session.database();
        if (database.equals(storeDatabase)) {
            return CompletableFuture.completedFuture(Optional.of(new SessionRefusal("42501",
                    "pgseal: database \"" + database + "\" holds pgseal's key store; client sessions to it are "
                            + "not allowed")));
        }
        if (!covers(policy.get(), database)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Verdict> verdict = verdicts.computeIfAbsent(database, this::checkLater);
        return verdict.handle((v, failure) -> {
            if (failure != null) {
                verdicts.remove(database, verdict);
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof SQLException sql && "3D000".equals(sql.getSQLState())) {
                    return Optional.<SessionRefusal>empty(); // PostgreSQL answers the client itself
                }
                LOG.error("database={}: cannot check its catalog against the policy: {}", database, cause.getMessage());
                return Optional.of(new SessionRefusal("08006", "pgseal: cannot check database \"" + database
                        + "\" against the encryption policy; see pgseal's log"));
            }
            if (v instanceof Verdict.Refuse r) {
                return Optional.of(new SessionRefusal("55000", "pgseal: database \"" + database
                        + "\" does not match the encryption policy (" + r.summary() + "); run `pgseal policy ddl` "
                        + "and apply the statements it prints"));
            }
            return Optional.empty();
        });
    }

    @Override
    public StatementInterceptor openSession(SessionInfo session) {
        return covers(policy.get(), session.database()) ? guard.openSession(session) : StatementInterceptor.NONE;
    }

    /** Whether the policy protects tables of {@code database} (never the key store's database). */
    boolean covers(Policy current, String database) {
        return current.covers(database, storeDatabase);
    }

    private CompletableFuture<Verdict> checkLater(String database) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return verdictOf(database, readCatalog(database));
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, blocking);
    }

    private CatalogReport readCatalog(String database) throws SQLException {
        try (Connection c = catalog.open(database)) {
            return CatalogCheck.check(c, policy.get());
        }
    }

    private static Verdict verdictOf(String database, CatalogReport report) {
        if (report.isConsistent() || report.noPolicyTableExists()) {
            return new Verdict.Serve();
        }
        LOG.error("database={} does not match the policy; sessions to it are refused until it does:\n{}", database,
                report.text());
        return new Verdict.Refuse(firstLine(report.text()));
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("see pgseal's log");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
