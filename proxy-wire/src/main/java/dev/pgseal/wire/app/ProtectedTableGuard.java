package dev.pgseal.wire.app;

import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.StatementPlanner;
import dev.pgseal.sql.StatementScreen;
import dev.pgseal.wire.Interception;
import dev.pgseal.wire.SessionHooks;
import dev.pgseal.wire.SessionInfo;
import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.StatementInterceptor;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.frontend.FunctionCall;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.session.ClientEncodings;
import dev.pgseal.wire.session.PendingResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Fail-closed guard for sessions pgseal cannot serve with encryption (no key store, or no catalog
 * facts for the database); sessions that can be served get {@link EncryptingSession}, which keeps
 * this guard's rules for what it cannot plan. Under this guard, a statement
 * that mentions a protected table, reaches into schema {@code pgseal}, or cannot be tokenized while
 * a policy is in force, never reaches PostgreSQL as written. It is refused with
 * {@link Interception#refuse}: a {@code DO} block makes PostgreSQL itself raise the refusal (SQLSTATE {@code 0A000}, or {@code 42501} for schema
 * pgseal), so the client gets a proper ErrorResponse at the right place in its pipeline and an open
 * transaction is aborted exactly as if the statement had failed in PostgreSQL. A refused prepared
 * statement is bound with no parameters, so its values never reach PostgreSQL either. FunctionCall
 * messages are refused (0A000, naming the function's OID) except the large-object functions.
 *
 * <p>Statements that mention no protected table pass untouched (the fast path: a tokenizer scan, no
 * parse). The screen follows policy reloads.
 */
public final class ProtectedTableGuard implements SessionHooks {

    /** SQLSTATE feature_not_supported. */
    static final String NOT_SUPPORTED = "0A000";
    /** SQLSTATE insufficient_privilege. */
    static final String NO_PRIVILEGE = "42501";

    private final AtomicReference<Screen> screen = new AtomicReference<>();
    /** Hits, misses and evictions of the plan caches of every policy this guard has had. */
    private final StatsCounter planCacheStats;

    /**
     * What statements are read against: the policy, its screen and its planner (one planner per
     * policy, so a reload drops every cached plan).
     */
    record Screen(Policy policy, StatementScreen screen, boolean nonAsciiNames, StatementPlanner planner) {
    }

    /** A guard for {@code policy}; call {@link #policyChanged(Policy)} when it is reloaded. */
    public ProtectedTableGuard(Policy policy) {
        this(policy, new ConcurrentStatsCounter());
    }

    /**
     * A guard for {@code policy} whose plan caches (one per policy) count hits, misses and evictions
     * in {@code planCacheStats}, across reloads.
     */
    public ProtectedTableGuard(Policy policy, StatsCounter planCacheStats) {
        this.planCacheStats = planCacheStats;
        policyChanged(policy);
    }

    /** Uses {@code policy} for statements screened from now on. */
    public void policyChanged(Policy policy) {
        boolean nonAscii = policy.tableNames().stream()
                .anyMatch(t -> !StandardCharsets.US_ASCII.newEncoder().canEncode(t.schema() + t.name()));
        screen.set(new Screen(policy, StatementScreen.of(policy), nonAscii,
                StatementPlanner.of(policy, planCacheStats)));
    }

    /** The policy, screen and planner in force now. */
    Screen current() {
        return screen.get();
    }

    @Override
    public StatementInterceptor openSession(SessionInfo session) {
        return new Guard(session);
    }

    /** The refusal for {@code sql} read with standard strings in UTF-8, or null when it may pass (for tests). */
    String refusal(String sql) {
        Screen s = screen.get();
        return refusal(s, s.screen().screen(sql));
    }

    /** The refusal for what the screen found, or null when the statement may pass. */
    private static String refusal(Screen s, StatementScreen.Screening found) {
        if (found.isPassThrough()) {
            return null;
        }
        if (found.touchesPgsealSchema()) {
            return NO_PRIVILEGE + "pgseal: access to schema pgseal (pgseal's keys, audit log and jobs) through the "
                    + "proxy is not allowed";
        }
        if (found.unreadable().isPresent()) {
            return NOT_SUPPORTED + "pgseal: statement refused: it cannot be read (" + found.unreadable().get()
                    + ") and a policy protects columns of this database";
        }
        if (found.refusal().isPresent()) {
            return found.refusal().get().sqlState() + found.refusal().get().message();
        }
        String tables = found.protectedTables().stream()
                .map(t -> describe(s.policy(), t))
                .collect(Collectors.joining("; "));
        return NOT_SUPPORTED + "pgseal: statement refused: it uses " + tables + ", and this pgseal version cannot "
                + "yet encrypt or decrypt protected columns in SQL statements";
    }

    /** The refusal for a statement's bytes as {@code session} sends them, or null when it may pass. */
    private String refusal(byte[] sql, SessionInfo session) {
        Screen s = screen.get();
        return refusal(s, StatementReader.screen(s.screen(), sql, session, s.nonAsciiNames()));
    }

    /**
     * A session may not switch to a client encoding pgseal cannot read statements in: PostgreSQL has
     * just confirmed the switch, so the session ends before its next statement is screened.
     */
    static SessionRefusal encodingRefusal(ParameterStatus status) {
        if (!status.name().equalsIgnoreCase("client_encoding") || ClientEncodings.isSupported(status.value())) {
            return null;
        }
        return new SessionRefusal(NOT_SUPPORTED, "pgseal: client_encoding " + status.value() + " is not supported "
                + "while a policy protects columns of this database (pgseal cannot read statements in it exactly as "
                + "PostgreSQL does); use UTF8");
    }

    private static String describe(Policy policy, QualifiedName table) {
        TablePolicy t = policy.table(table).orElseThrow();
        return "table " + table.toSql() + " (protected columns "
                + t.columns().stream().map(c -> c.name()).collect(Collectors.joining(", ")) + ")";
    }

    /** A refusal string (5-character SQLSTATE, then the message) as the session's refusal. */
    static SessionRefusal toRefusal(String refusal) {
        return new SessionRefusal(refusal.substring(0, 5), refusal.substring(5));
    }

    /**
     * Built-in large-object functions pgjdbc calls through FunctionCall, by their stable OIDs
     * (checked against pg_proc of PostgreSQL 15): lo_create 715, lo_open 952, lo_close 953, loread
     * 954, lowrite 955, lo_lseek 956, lo_creat 957, lo_tell 958, lo_unlink 964, lo_truncate 1004,
     * lo_lseek64 3170, lo_tell64 3171, lo_truncate64 3172. They read and write large objects only,
     * never a table.
     */
    static final Set<Integer> LARGE_OBJECT_FUNCTIONS = Set.of(715, 952, 953, 954, 955, 956, 957, 958, 964, 1004,
            3170, 3171, 3172);

    /** The refusal of a FunctionCall of {@code oid}, or null when it may pass. */
    static SessionRefusal functionCallRefusal(int oid) {
        if (LARGE_OBJECT_FUNCTIONS.contains(oid)) {
            return null;
        }
        return new SessionRefusal(NOT_SUPPORTED, "pgseal: function call (FunctionCall message) of function OID "
                + Integer.toUnsignedString(oid) + " refused: a policy protects columns of this database, and only the "
                + "large-object functions may be called this way");
    }

    /**
     * One session's view. A refused Parse leaves its refusal as the prepared statement's plan once
     * PostgreSQL confirms it; the session then binds that statement with no parameter values itself.
     */
    private final class Guard implements StatementInterceptor {

        private final SessionInfo session;

        Guard(SessionInfo session) {
            this.session = session;
        }

        @Override
        public Interception interceptQuery(Query query, PendingResponse entry) {
            String refusal = refusal(query.sqlBytes(), session);
            return refusal == null ? Interception.pass() : Interception.refuse(toRefusal(refusal));
        }

        @Override
        public Interception interceptParse(Parse parse, PendingResponse entry) {
            String refusal = refusal(parse.sqlBytes(), session);
            return refusal == null ? Interception.pass() : Interception.refuse(toRefusal(refusal));
        }

        @Override
        public SessionRefusal onParameterStatus(ParameterStatus status) {
            return encodingRefusal(status);
        }

        @Override
        public Interception interceptFunctionCall(FunctionCall call, PendingResponse entry) {
            SessionRefusal refusal = functionCallRefusal(call.functionOid());
            return refusal == null ? Interception.pass() : Interception.refuse(refusal);
        }
    }
}
