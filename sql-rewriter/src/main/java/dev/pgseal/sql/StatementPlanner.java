package dev.pgseal.sql;

import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.pgseal.policy.Policy;
import dev.pgseal.sql.StatementScreen.Screening;
import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.plan.PlanCache;
import dev.pgseal.sql.plan.TextPlanner;
import java.util.Objects;

/**
 * Turns SQL text into a {@link StatementPlan} for one policy: pass through, refuse, or rewrite with
 * encrypted parameters and literals. Pure and thread-safe; plans are cached.
 *
 * <p><b>Steps.</b> The {@link StatementScreen} reads the text first: a string that mentions no
 * protected table and needs no refusal passes with no parse; its refusals, unreadable text and any
 * use of schema {@code pgseal} are refused as the screen says. Otherwise each statement that
 * mentions a protected table is parsed and every use of a protected column checked against the
 * shapes pgseal understands; anything else touching a protected column is refused with
 * {@code 0A000} and a message naming table, column and construct (never a value).
 *
 * <p><b>Cache.</b> Plans are cached by SQL text, {@code standard_conforming_strings} and the
 * identity of the {@link CatalogView} object: the proxy keeps one view per database and replaces it
 * when that database's catalog changes, so plans of an old catalog are never reused, and the key
 * costs one identity hash. A policy change means a new planner ({@link #of}), so it drops every plan.
 *
 * <p><b>Choices.</b> {@code col IN (a, b)} on a deterministic column becomes
 * one array comparison {@code col = ANY(a || b)} (bytea[] concatenation), {@code NOT IN} becomes
 * {@code <> ALL(...)}; a client's own {@code col = ANY($1)} is refused for now (pgseal would have to
 * encrypt each element of the client's array).
 */
public final class StatementPlanner {

    /** Plans kept per planner; a plan is a few hundred bytes. */
    static final int CACHE_SIZE = 10_000;

    private final StatementScreen screen;
    private final TextPlanner planner;
    private final PlanCache cache;

    private StatementPlanner(Policy policy, StatsCounter cacheStats) {
        this.screen = StatementScreen.of(policy);
        this.planner = TextPlanner.of(policy);
        this.cache = new PlanCache(CACHE_SIZE, cacheStats);
    }

    /** A planner for {@code policy}, with an empty cache. */
    public static StatementPlanner of(Policy policy) {
        return new StatementPlanner(Objects.requireNonNull(policy, "policy"), null);
    }

    /** A planner for {@code policy}, with an empty cache whose hits, misses and evictions go to {@code cacheStats}. */
    public static StatementPlanner of(Policy policy, StatsCounter cacheStats) {
        return new StatementPlanner(Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(cacheStats,
                "cacheStats"));
    }

    /**
     * The plan for {@code sql} (one or more statements, as in a Query or a Parse), read as PostgreSQL
     * reads it under {@code settings}, against the catalog of the session's database.
     */
    public StatementPlan plan(String sql, LexSettings settings, CatalogView catalog) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(catalog, "catalog");
        return cache.get(sql, settings.standardConformingStrings(), catalog, () -> planUncached(sql, settings, catalog));
    }

    /** The plan without the cache (for measurements and tests). */
    StatementPlan planUncached(String sql, LexSettings settings, CatalogView catalog) {
        Screening s = screen.screen(sql, settings);
        if (s.isPassThrough()) {
            return new StatementPlan.PassThrough();
        }
        if (s.touchesPgsealSchema()) {
            return new StatementPlan.Refused("42501", "pgseal: access to schema pgseal (pgseal's keys, audit log and "
                    + "jobs) through the proxy is not allowed");
        }
        if (s.unreadable().isPresent()) {
            return new StatementPlan.Refused(StatementScreen.NOT_SUPPORTED, "pgseal: statement refused: it cannot be "
                    + "read (" + StatementScreen.ascii(s.unreadable().get()) + ") and a policy protects columns of this "
                    + "database");
        }
        if (s.refusal().isPresent()) {
            return new StatementPlan.Refused(s.refusal().get().sqlState(), s.refusal().get().message());
        }
        return planner.plan(sql, settings, catalog);
    }
}
