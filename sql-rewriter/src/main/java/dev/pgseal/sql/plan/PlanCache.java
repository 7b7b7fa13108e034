package dev.pgseal.sql.plan;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.pgseal.sql.CatalogView;
import dev.pgseal.sql.StatementPlan;
import java.util.function.Supplier;

/**
 * Bounded cache of plans by (SQL text, standard_conforming_strings, catalog snapshot). The catalog
 * snapshot is compared by identity: the proxy hands the planner one {@link CatalogView} object per
 * database and replaces it when the catalog changes, so a new snapshot never meets an old plan and
 * the key stays cheap (no hashing of catalog contents).
 *
 * <p>Bounded by size with Caffeine's frequency-aware eviction, so the statements an application
 * runs all the time stay cached while one-off texts come and go.
 */
public final class PlanCache {

    private final Cache<Key, StatementPlan> plans;

    /** A cache holding at most {@code maximumSize} plans. */
    public PlanCache(int maximumSize) {
        this(maximumSize, null);
    }

    /**
     * A cache holding at most {@code maximumSize} plans that records hits, misses and evictions in
     * {@code stats} (shared by the caches of successive policies, so the counts survive a reload),
     * or records nothing when it is null.
     */
    public PlanCache(int maximumSize, StatsCounter stats) {
        if (maximumSize < 1) {
            throw new IllegalArgumentException("maximumSize: " + maximumSize + " (expected: >= 1)");
        }
        Caffeine<Object, Object> b = Caffeine.newBuilder().maximumSize(maximumSize);
        this.plans = stats == null ? b.build() : b.recordStats(() -> stats).build();
    }

    /** The cached plan, or the one {@code planner} computes (then cached). */
    public StatementPlan get(String sql, boolean standardConformingStrings, CatalogView catalog,
            Supplier<StatementPlan> planner) {
        return plans.get(new Key(sql, standardConformingStrings, catalog), k -> planner.get());
    }

    /** The number of cached plans. */
    public int size() {
        plans.cleanUp();
        return (int) plans.estimatedSize();
    }

    private static final class Key {
        private final String sql;
        private final boolean standardConformingStrings;
        private final CatalogView catalog;
        private final int hash;

        Key(String sql, boolean standardConformingStrings, CatalogView catalog) {
            this.sql = sql;
            this.standardConformingStrings = standardConformingStrings;
            this.catalog = catalog;
            this.hash = (sql.hashCode() * 31 + System.identityHashCode(catalog)) * 2 + (standardConformingStrings ? 1 : 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.catalog == catalog
                    && k.standardConformingStrings == standardConformingStrings && k.sql.equals(sql);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
