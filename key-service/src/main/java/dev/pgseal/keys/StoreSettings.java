package dev.pgseal.keys;

import java.util.Optional;

/**
 * The PostgreSQL database that holds schema {@code pgseal} (wrapped keys, audit log, jobs): the
 * {@code store} section of the server config.
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}
 * @param user the role pgseal connects as
 * @param password where the password comes from; empty for trust or peer authentication
 * @param maxPoolSize the HikariCP pool size
 */
public record StoreSettings(String jdbcUrl, String user, Optional<SecretSource> password, int maxPoolSize) {
    /** The default pool size: the key store is off the hot path (keys are cached). */
    public static final int DEFAULT_POOL_SIZE = 4;

    /** The JDBC URL with any {@code password=} parameter masked, for messages and logs. */
    public String redactedUrl() {
        return jdbcUrl == null ? "" : jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
