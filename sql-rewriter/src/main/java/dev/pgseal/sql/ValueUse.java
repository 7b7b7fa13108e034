package dev.pgseal.sql;

/** How a value the client supplies for a protected column is turned into what PostgreSQL receives. */
public enum ValueUse {
    /**
     * The value is stored in the column (INSERT, UPDATE SET, ON CONFLICT DO UPDATE): one envelope
     * under the key ring's primary version, sent as {@code bytea}.
     */
    STORE,
    /**
     * The value is compared for equality with a deterministic column: one deterministic envelope per
     * live version of the key ring, sent as {@code bytea[]} and compared with {@code = ANY(...)}, so
     * rows written under every live version match while re-encryption runs.
     */
    MATCH
}
