package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditSettings;
import dev.pgseal.testing.hsm.TestStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A running admin API for tests: a key service on the software keystore (a PKCS#12 file in a
 * private folder) over a fresh store database, an {@link AdminServer} on a free port, one token per
 * role (principals {@code admin-p}, {@code operator-p}, …), and a small HTTP client.
 */
public final class AdminFixture implements AutoCloseable {

    /** One HTTP answer. */
    public record Answer(int status, String body, HttpResponse<String> response) {
    }

    private final Path dir;
    private final StoreSettings store;
    private final KeystoreSettings keystore;
    private final KeyService keys;
    private final AdminServer server;
    private final Map<Role, String> tokens = new EnumMap<>(Role.class);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AdminFixture(Path dir, AdminServer.Settings settings) {
        this.dir = dir;
        try {
            Path pass = Files.writeString(dir.resolve("keystore.pass"), "admin test passphrase", StandardCharsets.UTF_8);
            this.keystore = new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(), Optional.empty(),
                    Optional.empty(), "mk-admin", Optional.of(dir.resolve("keys.p12")), Optional.of(SecretSource.file(pass)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.store = TestStores.freshStore("admin_api");
        this.keys = KeyService.open(keystore, store, AuditSettings.DEFAULT, Clock.systemUTC(), KeyCacheSettings.DEFAULT);
        this.server = AdminServer.start("127.0.0.1", 0, keys, settings);
        for (Role r : Role.values()) {
            tokens.put(r, keys.accessTokens().create(principal(r), r, "test-setup").secretText());
        }
    }

    public AdminFixture(Path dir) {
        this(dir, AdminServer.Settings.DEFAULT);
    }

    /** The principal name of the fixture's token for {@code role}. */
    public static String principal(Role role) {
        return role.displayName() + "-p";
    }

    public String token(Role role) {
        return tokens.get(role);
    }

    public KeyService keys() {
        return keys;
    }

    public AdminServer server() {
        return server;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * A server config file naming this fixture's keystore and store, for the offline commands
     * (written next to the keystore file, whose path it names relatively).
     */
    public Path configFile() {
        try {
            return Files.writeString(dir.resolve("pgseal.yaml"), "upstream: { host: 127.0.0.1, port: 5432 }\n"
                    + "keystore: { type: software, file: keys.p12, passphrase_file: keystore.pass, "
                    + "master_key_label: mk-admin }\n"
                    + "store: { url: \"" + store.jdbcUrl() + "\", user: " + store.user() + " }\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code method path} with {@code body} (JSON, or null) and the bearer token (or none). */
    public Answer send(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            keys.close();
        }
    }
}
