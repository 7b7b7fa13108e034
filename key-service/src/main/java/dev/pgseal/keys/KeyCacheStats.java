package dev.pgseal.keys;

/**
 * Counters of the data-key cache since the service opened.
 *
 * @param hits requests served from memory
 * @param misses requests that unwrapped a key in the master key store (HSM calls)
 * @param failedUnwraps misses whose unwrap failed (store unreachable, audit not writable…)
 * @param cachedKeys keys in memory now (approximate)
 */
public record KeyCacheStats(long hits, long misses, long failedUnwraps, long cachedKeys) {
}
