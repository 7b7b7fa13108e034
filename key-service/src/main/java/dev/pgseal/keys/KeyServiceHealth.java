package dev.pgseal.keys;

/**
 * What the health endpoint reports about the key service.
 *
 * @param masterKeys the master key store (HSM) probe
 * @param store the key store database probe
 * @param cache cache counters
 */
public record KeyServiceHealth(HealthStatus masterKeys, HealthStatus store, KeyCacheStats cache) {

    /** Whether both the master key store and the database answered. */
    public boolean up() {
        return masterKeys.up() && store.up();
    }
}
