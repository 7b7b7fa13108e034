package dev.pgseal.keys.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pgseal.keys.StoreSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
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
     * (the exception is rethrown; an {@link SQLException} as a {@link StoreException}).
     */
    public <T> T inTransaction(TransactionWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("key store database " + url + ": " + e.getMessage(), e);
        }
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
