package dev.pgseal.keys;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of the in-memory cache of unwrapped data keys.
 *
 * @param maximumSize the most data-key versions held at once
 * @param expireAfterWrite how long an unwrapped key stays before the next use unwraps it again
 * @param eraseGrace how long an evicted key stays intact before it is erased, so a thread that
 *     took it just before the eviction never encrypts with half-erased bytes (zero: at once)
 */
public record KeyCacheSettings(long maximumSize, Duration expireAfterWrite, Duration eraseGrace) {

    /** 10,000 keys, 15 minutes, erased 10 seconds after eviction. */
    public static final KeyCacheSettings DEFAULT = new KeyCacheSettings(10_000, Duration.ofMinutes(15),
            Duration.ofSeconds(10));

    public KeyCacheSettings {
        Objects.requireNonNull(expireAfterWrite, "expireAfterWrite");
        Objects.requireNonNull(eraseGrace, "eraseGrace");
        if (maximumSize < 1 || expireAfterWrite.isNegative() || expireAfterWrite.isZero() || eraseGrace.isNegative()) {
            throw new IllegalArgumentException("cache size and expiry must be positive, the erase grace not negative");
        }
    }
}
