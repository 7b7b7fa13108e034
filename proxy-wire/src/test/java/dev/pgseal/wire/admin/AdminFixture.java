package dev.pgseal.wire.admin;

import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.access.Totp;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A running admin API for tests: a key service on the software keystore (a PKCS#12 file in a
 * private folder) over a fresh store database, an {@link AdminServer} on a free port, one token per
 * role (principals {@code admin-p}, {@code operator-p}, …), each principal enrolled in TOTP, and a
 * small HTTP client. The server checks TOTP codes against {@link #clock()}, which tests move by hand.
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
    private final Map<Role, SecretBytes> totpSecrets = new EnumMap<>(Role.class);
    /** The second factor's clock: mid-step, so a code and the server agree on the step. */
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-03T10:00:15Z"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param settings the server's settings; their second factor is replaced by TOTP on {@link #clock()} */
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
        this.server = AdminServer.start("127.0.0.1", 0, keys, new AdminServer.Settings(settings.maxRequestBytes(),
                settings.workers(), settings.queue(), settings.idleSeconds(), SecondFactor.totp(clock))
                .withTls(settings.tls()));
        for (Role r : Role.values()) {
            tokens.put(r, keys.accessTokens().create(principal(r), r, "test-setup").secretText());
            totpSecrets.put(r, Totp.parseBase32(keys.totpEnrollments().enroll(principal(r), false, "test-setup")
                    .secretBase32()));
        }
    }

    public AdminFixture(Path dir) {
        this(dir, AdminServer.Settings.DEFAULT);
    }

    /** The clock the server checks TOTP codes against. */
    public SettableClock clock() {
        return clock;
    }

    /** The TOTP code of {@code role}'s principal at {@code at}. */
    public String code(Role role, Instant at) {
        return Totp.DEFAULT.code(totpSecrets.get(role), Totp.DEFAULT.stepAt(at));
    }

    /** Moves the clock to the next time step and returns the fresh code of {@code role}'s principal. */
    public String otp(Role role) {
        return code(role, clock.advance(Totp.DEFAULT.step()));
    }

    /** The store's settings, for tests that look at (or backdate) rows directly. */
    public StoreSettings store() {
        return store;
    }

    /**
     * Makes every scheduled deletion of {@code ring} due now, as if its waiting period (7 days at
     * least) had passed: the due times are moved into the past in the store.
     */
    public void makeDeletionsDue(String ring) {
        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), null);
                PreparedStatement versions = c.prepareStatement("update pgseal.key_versions set deletion_due_at = "
                        + "now() - interval '1 minute' where deletion_due_at is not null and ring_id = "
                        + "(select id from pgseal.key_rings where name = ?)");
                PreparedStatement rings = c.prepareStatement("update pgseal.key_rings set deletion_due_at = "
                        + "now() - interval '1 minute' where deletion_due_at is not null and name = ?")) {
            versions.setString(1, ring);
            rings.setString(1, ring);
            if (versions.executeUpdate() + rings.executeUpdate() == 0) {
                throw new IllegalStateException("key ring " + ring + " has no scheduled deletion");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keystore's settings, for a second key service on the same store (a second instance). */
    public KeystoreSettings keystore() {
        return keystore;
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
        return send(method, path, body, token, null);
    }

    /** As {@link #send(String, String, String, String)} with a TOTP code in {@code X-Pgseal-Otp} (or none). */
    public Answer send(String method, String path, String body, String token, String otp) {
        return send(baseUrl(), method, path, body, token, otp);
    }

    /** As {@link #send(String, String, String, String, String)} to another server at {@code base}. */
    public Answer send(String base, String method, String path, String body, String token, String otp) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (otp != null) {
            b.header("X-Pgseal-Otp", otp);
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
