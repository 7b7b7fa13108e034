package dev.pgseal.keys;

/**
 * The health of one dependency (master key store, key store database).
 *
 * @param up whether it answered a probe just now
 * @param detail what was probed, or why it failed (never a secret)
 */
public record HealthStatus(boolean up, String detail) {
    public static HealthStatus up(String detail) {
        return new HealthStatus(true, detail);
    }

    public static HealthStatus down(String detail) {
        return new HealthStatus(false, detail);
    }
}
