package dev.pgseal.wire;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The config of a whole pgseal server as the integration tests start it: a policy file, a software
 * key store in the test's folder, the key store in a database of its own, the proxy and the admin
 * API on free loopback ports.
 */
final class ServerUnderPolicy {

    private ServerUnderPolicy() {
    }

    /** A server in front of the fixture's PostgreSQL, its key store in {@code storeDatabase}. */
    static ServerConfig config(Path dir, Path policy, String storeDatabase) throws IOException {
        PostgresFixture pg = PostgresFixture.get();
        return config(dir, policy, pg.host(), pg.port(), pg.user(), pg.password(), pg.jdbcUrl(storeDatabase));
    }

    /**
     * A server in front of {@code host:port}; the store is reached at {@code storeJdbcUrl} as
     * {@code user} (with {@code password}, or none for trust authentication).
     */
    static ServerConfig config(Path dir, Path policy, String host, int port, String user, String password,
            String storeJdbcUrl) throws IOException {
        Path pass = Files.writeString(dir.resolve("pass.txt"), "correct horse battery staple\n");
        KeystoreSettings keystore = new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(),
                Optional.empty(), Optional.empty(), KeystoreSettings.DEFAULT_MASTER_KEY_LABEL,
                Optional.of(dir.resolve("keys.p12")), Optional.of(SecretSource.file(pass)));
        Optional<SecretSource> storePassword = password == null ? Optional.empty()
                : Optional.of(SecretSource.file(Files.writeString(dir.resolve("store.pass"), password)));
        StoreSettings store = new StoreSettings(storeJdbcUrl, user, storePassword, 2);
        return new ServerConfig(new ServerConfig.Listen("127.0.0.1", 0),
                new ServerConfig.Upstream(host, port, ServerConfig.UpstreamTls.DISABLE),
                ServerConfig.Tls.DISABLED, Optional.of(policy), Optional.of(keystore), Optional.of(store),
                new ServerConfig.Admin("127.0.0.1", 0), ServerConfig.Limits.DEFAULT);
    }
}
