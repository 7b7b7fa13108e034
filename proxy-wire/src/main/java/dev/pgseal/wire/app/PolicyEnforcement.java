package dev.pgseal.wire.app;

import dev.pgseal.policy.CatalogCheck;
import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.CatalogReport;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.wire.crypto.CatalogFactsView;
import dev.pgseal.wire.crypto.ColumnAccess;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 *   <li>With a key service, a served database's sessions get {@link EncryptingSession} (transparent
 *       encryption); without one, or before facts and role access are known, the fail-closed
 *       {@link ProtectedTableGuard}.</li>
 *   <li>The verdict of a served database carries its {@link CatalogFacts} (OIDs, column numbers,
 *       schemas by table name) for the session's planner and result decryption: {@link #facts}.</li>
 *   <li>At admission to a covered database, the policy roles the session user is a member of
 *       (itself and the roles granted to it, transitively; a superuser gets no implicit membership)
 *       are looked up once per (database, user), off the
 *       event loop, and cached until the policy changes: {@link #access}. Grants made later are seen
 *       after the next policy reload. A session that changes its role ({@code SET ROLE},
 *       {@code SET SESSION AUTHORIZATION}, {@code RESET}) asks for the new role the same way.</li>
 *   <li>A policy reload ({@link #policyChanged}) re-checks the databases checked before; open
 *       sessions take the new facts and role access at their next statement.</li>
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
        /** The catalog matches the policy (or holds none of its tables); what it holds. */
        record Serve(CatalogFacts facts, CatalogView view) implements Verdict {
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
    private final EncryptingSession.Keys keys;
    private final Map<String, CompletableFuture<Verdict>> verdicts = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ColumnAccess>> accesses = new ConcurrentHashMap<>();

    /**
     * The policy roles a role holds: itself and every role granted to it, directly or through other
     * roles. Explicit grants only: a superuser is not a reader of every column just because
     * {@code pg_has_role} answers true for it on every role.
     */
    private static final String MEMBERSHIPS = """
            with recursive granted(oid) as (
                select oid from pg_catalog.pg_roles where rolname = ?
                union
                select a.roleid from pg_catalog.pg_auth_members a join granted g on a.member = g.oid)
            select r.rolname from pg_catalog.pg_roles r join granted g on r.oid = g.oid
            where r.rolname = any (?)""";

    /**
     * @param policy the policy in force (read at each decision, so reloads apply)
     * @param storeDatabase the name of the key store's database
     * @param catalog opens connections for catalog checks
     * @param blocking where catalog checks run (never an event loop)
     * @param guard the per-session statement guard
     */
    public PolicyEnforcement(Supplier<Policy> policy, String storeDatabase, CatalogConnector catalog, Executor blocking,
            ProtectedTableGuard guard) {
        this(policy, storeDatabase, catalog, blocking, guard, null);
    }

    /**
     * Like the public constructor; with {@code keys}, sessions of a covered database whose catalog
     * facts and role access are known are served with transparent encryption
     * ({@link EncryptingSession}) instead of the fail-closed guard.
     */
    PolicyEnforcement(Supplier<Policy> policy, String storeDatabase, CatalogConnector catalog, Executor blocking,
            ProtectedTableGuard guard, EncryptingSession.Keys keys) {
        this.policy = policy;
        this.storeDatabase = storeDatabase;
        this.catalog = catalog;
        this.blocking = blocking;
        this.guard = guard;
        this.keys = keys;
    }

    /**
     * Forgets every cached verdict and role lookup, and checks the databases already checked again
     * right away (off the event loop): open sessions pick up the new facts at their next statement,
     * new sessions at admission.
     */
    public void policyChanged() {
        Set<String> checked = Set.copyOf(verdicts.keySet());
        verdicts.clear();
        accesses.clear();
        Policy now = policy.get();
        for (String database : checked) {
            if (covers(now, database)) {
                verdicts.computeIfAbsent(database, this::checkLater);
            }
        }
    }

    /** What open {@link EncryptingSession}s ask: the verdict and role access in force now. */
    private final EncryptingSession.Context sessionContext = new EncryptingSession.Context() {
        @Override
        public CompletableFuture<Verdict> catalog(String database) {
            CompletableFuture<Verdict> v = verdicts.computeIfAbsent(database, PolicyEnforcement.this::checkLater);
            v.whenComplete((done, failure) -> {
                if (failure != null) {
                    verdicts.remove(database, v);
                }
            });
            return v;
        }

        @Override
        public CompletableFuture<ColumnAccess> access(String database, String role) {
            return accessFuture(database, role);
        }
    };

    /**
     * The catalog facts of {@code database} once a check found it consistent (empty before the check
     * completed, for a refused database, and for databases the policy does not cover). Non-blocking.
     */
    public Optional<CatalogFacts> facts(String database) {
        return served(database).map(Verdict.Serve::facts);
    }

    private Optional<Verdict.Serve> served(String database) {
        CompletableFuture<Verdict> v = verdicts.get(database);
        if (v == null || !v.isDone() || v.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return v.join() instanceof Verdict.Serve serve ? Optional.of(serve) : Optional.empty();
    }

    /**
     * The roles {@code user} has for protected columns in {@code database}: itself and the policy
     * roles it is a member of, as looked up when a session of that user was admitted. Empty until
     * then (or after a policy change). Non-blocking.
     */
    public Optional<ColumnAccess> access(String database, String user) {
        CompletableFuture<ColumnAccess> a = accesses.get(accessKey(database, user));
        return a != null && a.isDone() && !a.isCompletedExceptionally() ? Optional.of(a.join()) : Optional.empty();
    }

    private static String accessKey(String database, String user) {
        return database + '\0' + user;
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
        CompletionStage<Optional<SessionRefusal>> decision = verdict.handle((v, failure) -> {
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
        return decision.thenCompose(refusal -> refusal.isPresent() || facts(database).isEmpty()
                ? CompletableFuture.completedFuture(refusal)
                : accessOf(database, session.user()));
    }

    /** The roles {@code user} (a session user or a role set later) has, looked up once per (database, role). */
    private CompletableFuture<ColumnAccess> accessFuture(String database, String user) {
        String key = accessKey(database, user);
        CompletableFuture<ColumnAccess> access = accesses.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> {
            try {
                return ColumnAccess.of(user, memberships(database, user));
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, blocking));
        access.whenComplete((done, failure) -> {
            if (failure != null) {
                accesses.remove(key, access);
            }
        });
        return access;
    }

    private CompletionStage<Optional<SessionRefusal>> accessOf(String database, String user) {
        String key = accessKey(database, user);
        CompletableFuture<ColumnAccess> access = accessFuture(database, user);
        return access.handle((a, failure) -> {
            if (failure == null) {
                return Optional.<SessionRefusal>empty();
            }
            accesses.remove(key, access);
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            LOG.error("database={} user={}: cannot look up the user's policy roles: {}", database, user,
                    cause.getMessage());
            return Optional.of(new SessionRefusal("08006", "pgseal: cannot look up the roles of \"" + user
                    + "\" for the encryption policy; see pgseal's log"));
        });
    }

    /** The policy roles (readers and writers of any column) {@code user} is a member of. */
    private Set<String> memberships(String database, String user) throws SQLException {
        Set<String> policyRoles = new TreeSet<>();
        for (TablePolicy t : policy.get().tables()) {
            for (ColumnPolicy c : t.columns()) {
                policyRoles.addAll(c.readers().roles());
                policyRoles.addAll(c.writers().roles());
            }
        }
        Set<String> member = new TreeSet<>();
        if (policyRoles.isEmpty()) {
            return member;
        }
        try (Connection c = catalog.open(database); PreparedStatement ps = c.prepareStatement(MEMBERSHIPS)) {
            ps.setString(1, user);
            ps.setArray(2, c.createArrayOf("text", policyRoles.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    member.add(rs.getString(1));
                }
            }
        }
        return member;
    }

    @Override
    public StatementInterceptor openSession(SessionInfo session) {
        if (!covers(policy.get(), session.database())) {
            return StatementInterceptor.NONE;
        }
        if (keys != null) {
            Optional<Verdict.Serve> serve = served(session.database());
            Optional<ColumnAccess> roles = access(session.database(), session.user());
            if (serve.isPresent() && roles.isPresent()) {
                return new EncryptingSession(session, guard, sessionContext, serve.get().facts(), serve.get().view(),
                        roles.get(), keys);
            }
        }
        return guard.openSession(session);
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
            // One view per verdict: the planner caches plans by the view's identity.
            return new Verdict.Serve(report.facts(), new CatalogFactsView(report.facts()));
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
