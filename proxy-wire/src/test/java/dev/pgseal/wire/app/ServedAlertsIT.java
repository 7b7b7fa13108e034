package dev.pgseal.wire.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pgseal.keys.access.Role;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.wire.admin.AdminCertificate;
import dev.pgseal.wire.config.ServerConfig;
import dev.pgseal.wire.config.ServerConfigLoader;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgseal started from a config file, as {@code serve --config} starts it, with {@code admin.tls}
 * and an {@code alerts} section (a lower denied-requests threshold, one rule off, a webhook to a
 * real receiver): a policy reload raises {@code config_change} and a few bad tokens raise
 * {@code denied_requests}, each seen over HTTPS in {@code /v1/alerts}, in {@code /metrics}, and at
 * the webhook.
 */
class ServedAlertsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private PgsealServer server;
    private HttpServer receiver;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aServerFromAConfigFileAlertsOverItsHttpsAdminListener() throws Exception {
        BlockingQueue<JsonNode> hooks = new LinkedBlockingQueue<>();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            hooks.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        AdminCertificate cert = AdminCertificate.generate(dir);
        PostgresFixture pg = PostgresFixture.get();
        String storeDb = pg.createDatabase("served_alerts_store");
        Files.writeString(dir.resolve("policy.yaml"), "version: 1\nkeys: [{name: served}]\ntables: []\n");
        Files.writeString(dir.resolve("pass.txt"), "served alerts passphrase\n");
        String password = pg.password() == null ? "" : ", password_file: store.pass";
        if (pg.password() != null) {
            Files.writeString(dir.resolve("store.pass"), pg.password());
        }
        Path config = Files.writeString(dir.resolve("pgseal.yaml"), String.join("\n",
                "listen: { host: 127.0.0.1, port: 0 }",
                "upstream: { host: " + pg.host() + ", port: " + pg.port() + " }",
                "policy: policy.yaml",
                "keystore: { type: software, file: keys.p12, passphrase_file: pass.txt }",
                "store: { url: \"" + pg.jdbcUrl(storeDb) + "\", user: " + pg.user() + password + " }",
                "admin: { host: 127.0.0.1, port: 0, tls: { cert: admin.crt, key: admin.key } }",
                "alerts:",
                "  denied_requests: { threshold: 3, window: 30s }",
                "  decrypt_volume: { enabled: false }",
                "  webhook: { url: \"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\", timeout: 2s, "
                        + "retries: 1 }",
                ""));
        ServerConfig cfg = ServerConfigLoader.load(config);
        assertThat(cfg.admin().tls()).isPresent();
        server = PgsealServer.start(cfg);
        String token = server.keys().orElseThrow().accessTokens().create("served-auditor", Role.AUDITOR, "test")
                .secretText();
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert.certificate()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://127.0.0.1:" + server.adminPort();

        Files.writeString(dir.resolve("policy.yaml"), "version: 1\nkeys: [{name: served}, {name: served2}]\ntables: []\n");
        assertThat(server.reloadPolicy()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(get(https, base + "/v1/keys", "wrong-" + i).statusCode()).isEqualTo(401);
        }
        assertThat(server.alerts().orElseThrow().awaitIdle(Duration.ofSeconds(10))).isTrue();

        HttpResponse<String> listed = get(https, base + "/v1/alerts", token);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        List<String> rules = new ArrayList<>();
        JSON.readTree(listed.body()).path("alerts").forEach(a -> rules.add(a.path("rule").asText() + " "
                + a.path("subject").asText()));
        assertThat(rules).containsExactly("config_change policy " + dir.resolve("policy.yaml"),
                "denied_requests address:127.0.0.1");

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode h = hooks.poll(10, TimeUnit.SECONDS);
            assertThat(h).as("webhook %d", i).isNotNull();
            sent.add(h.path("rule").asText());
        }
        assertThat(sent).containsExactlyInAnyOrder("config_change", "denied_requests");

        String metrics = get(https, base + "/metrics", null).body();
        assertThat(metrics).contains("pgseal_alerts_total{rule=\"config_change\"} 1.0")
                .contains("pgseal_alerts_total{rule=\"denied_requests\"} 1.0")
                .doesNotContain("pgseal_alerts_total{rule=\"decrypt_volume\"}")
                .contains("hikaricp_connections_active{pool=\"pgseal-key-store\"}");
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("admin", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
