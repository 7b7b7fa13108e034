package dev.pgseal.keys.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pgseal.keys.StoreSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL database that holds schema {@code pgseal}, reached through a HikariCP pool, with
 * the schema created and migrated by Flyway (migrations in {@code db/migration}, Flyway's history
 * table in schema {@code pgseal} too).
 */
public final class KeyStoreDatabase implements AutoCloseable {

    /** The schema pgseal owns. */
    public static final String SCHEMA = "pgseal";

    private final HikariDataSource dataSource;
    private final String url;
    /** Actions waiting for the commit of the transaction running on a connection. */
    private final Map<Connection, List<Runnable>> afterCommit = Collections.synchronizedMap(new IdentityHashMap<>());

    private KeyStoreDatabase(HikariDataSource dataSource, String url) {
        this.dataSource = dataSource;
        this.url = url;
    }

    /**
     * Connects, and when {@code migrate} is set creates or migrates schema {@code pgseal}.
     *
     * @throws StoreException naming the URL when the database cannot be reached or migrated
     */
    public static KeyStoreDatabase open(StoreSettings settings, boolean migrate) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        if (settings.user() != null) {
            config.setUsername(settings.user());
        }
        if (settings.password().isPresent()) {
            char[] pw;
            try {
                pw = settings.password().get().read();
            } catch (IllegalStateException e) {
                throw new StoreException("cannot read the key store password: " + e.getMessage(), e);
            }
            config.setPassword(new String(pw));
            Arrays.fill(pw, '\0');
        }
        config.setMaximumPoolSize(settings.maxPoolSize() > 0 ? settings.maxPoolSize() : StoreSettings.DEFAULT_POOL_SIZE);
        config.setMinimumIdle(1);
        config.setPoolName("pgseal-key-store");
        config.setConnectionTimeout(10_000);
        config.setAutoCommit(true);
        config.addDataSourceProperty("ApplicationName", "pgseal key-service");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the key store database " + settings.redactedUrl() + ": "
                    + rootMessage(e), e);
        }
        KeyStoreDatabase db = new KeyStoreDatabase(ds, settings.redactedUrl());
        if (migrate) {
            try {
                Flyway.configure()
                        .dataSource(ds)
                        .schemas(SCHEMA)
                        .defaultSchema(SCHEMA)
                        .createSchemas(true)
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
            } catch (RuntimeException e) {
                ds.close();
                throw new StoreException("cannot create or migrate schema pgseal in " + db.url + ": " + rootMessage(e), e);
            }
        }
        return db;
    }

    /** The pool. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The JDBC URL without credentials, for messages. */
    public String url() {
        return url;
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
     * (the exception is rethrown; an {@link SQLException} as a {@link StoreException}). Actions
     * registered with {@link #afterCommit} run after the commit, once the connection is back in
     * the pool.
     */
    public <T> T inTransaction(TransactionWork<T> work) {
        List<Runnable> committed = new ArrayList<>();
        T result;
        try (Connection c = dataSource.getConnection()) {
            afterCommit.put(c, committed);
            c.setAutoCommit(false);
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                afterCommit.remove(c);
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("key store database " + url + ": " + e.getMessage(), e);
        }
        committed.forEach(Runnable::run);
        return result;
    }

    /**
     * Runs {@code action} once the transaction {@link #inTransaction} runs on {@code c} has
     * committed, outside it and on the same thread; never when it rolls back. On a connection that
     * is not in such a transaction, runs it now. {@code action} must not throw.
     */
    public void afterCommit(Connection c, Runnable action) {
        List<Runnable> pending = afterCommit.get(c);
        if (pending == null) {
            action.run();
        } else {
            pending.add(action);
        }
    }

    /**
     * Reports the pool's metrics (connections active, idle, pending, acquire and usage times) to a
     * Micrometer {@code MeterRegistry} through HikariCP's own tracker; the key service itself does
     * not depend on Micrometer, hence {@code Object}. A pool reports to one registry only.
     *
     * @throws IllegalStateException when the pool already reports to a registry
     * @throws IllegalArgumentException when {@code meterRegistry} is not a registry HikariCP knows
     */
    public void reportPoolMetricsTo(Object meterRegistry) {
        dataSource.setMetricRegistry(meterRegistry);
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
