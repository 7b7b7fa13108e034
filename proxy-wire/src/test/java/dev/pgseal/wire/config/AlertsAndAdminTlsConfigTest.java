package dev.pgseal.wire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.alerts.AlertRule;
import dev.pgseal.keys.alerts.AlertSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code alerts} section and {@code admin.tls}: defaults, every key, and errors with their line. */
class AlertsAndAdminTlsConfigTest {

    @TempDir
    Path dir;

    @Test
    void withoutTheSectionsEveryRuleIsOnWithoutWebhookAndTheAdminListenerIsPlainHttp() {
        ServerConfig c = ServerConfigLoader.parse("upstream: {port: 5432}\n", "c.yaml", dir);
        assertThat(c.alerts()).isEqualTo(AlertSettings.DEFAULT);
        for (AlertRule r : AlertRule.values()) {
            assertThat(c.alerts().enabled(r)).as(r.id()).isTrue();
        }
        assertThat(c.alerts().webhook()).isEmpty();
        assertThat(c.admin().tls()).isEmpty();
    }

    @Test
    void everyAlertKeyAndAdminTlsAreRead() throws Exception {
        Files.writeString(dir.resolve("admin.crt"), "-----BEGIN CERTIFICATE-----\n");
        Files.writeString(dir.resolve("admin.key"), "-----BEGIN PRIVATE KEY-----\n");
        String text = """
                upstream: {port: 5432}
                admin:
                  port: 7443
                  tls: {cert: admin.crt, key: admin.key}
                alerts:
                  denied_requests: {threshold: 10, window: 2m}
                  decrypt_volume: {factor: 3.5, floor: 50, window: 30m, baseline: 12h, actions: [api.keys.decrypt, api.kms.decrypt]}
                  deletion_scheduled: {window: 5m}
                  key_compromised: {enabled: false}
                  config_change: {actions: [config.change, token.create]}
                  hsm_error: {window: 10m, check_interval: 15s}
                  webhook:
                    url: https://hooks.example.com/pgseal
                    timeout: 3s
                    retries: 4
                    queue: 50
                    secret_env: PGSEAL_WEBHOOK_SECRET
                """;
        ServerConfig c = ServerConfigLoader.parse(text, "c.yaml", dir);
        assertThat(c.admin().port()).isEqualTo(7443);
        assertThat(c.admin().tls()).contains(new ServerConfig.AdminTls(dir.resolve("admin.crt"), dir.resolve("admin.key")));
        AlertSettings a = c.alerts();
        assertThat(a.deniedRequests()).isEqualTo(new AlertSettings.DeniedRequests(true, 10, Duration.ofMinutes(2)));
        assertThat(a.decryptVolume()).isEqualTo(new AlertSettings.DecryptVolume(true, 3.5, 50, Duration.ofMinutes(30),
                Duration.ofHours(12), List.of("api.keys.decrypt", "api.kms.decrypt")));
        assertThat(a.deletionScheduled().window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(a.enabled(AlertRule.KEY_COMPROMISED)).isFalse();
        assertThat(a.configChange().actions()).containsExactly("config.change", "token.create");
        assertThat(a.hsmError()).isEqualTo(new AlertSettings.HsmError(true, Duration.ofMinutes(10), Duration.ofSeconds(15)));
        AlertSettings.Webhook w = a.webhook().orElseThrow();
        assertThat(w.url()).isEqualTo(URI.create("https://hooks.example.com/pgseal"));
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(w.retries()).isEqualTo(4);
        assertThat(w.queue()).isEqualTo(50);
        assertThat(w.secret().orElseThrow().environmentVariable()).isEqualTo("PGSEAL_WEBHOOK_SECRET");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "alerts: {denied_requests: {threshold: 0}}                     | 2 | threshold",
            "alerts: {denied_requests: {window: soon}}                     | 2 | invalid duration",
            "alerts: {decrypt_volume: {factor: 0.5}}                        | 2 | factor",
            "alerts: {decrypt_volume: {window: 10s}}                        | 2 | at least 60s",
            "alerts: {decrypt_volume: {factr: 5}}                           | 2 | factr",
            "alerts: {webhook: {url: ftp://example.com/x}}                  | 2 | http",
            "alerts: {webhook: {timeout: 5s}}                               | 2 | url",
            "alerts: {webhook: {url: 'http://h/x', retries: 99}}            | 2 | retries",
            "alerts: {webhook: {url: 'http://h/x', secret: 'x'}}            | 2 | secret",
            "alerts: {paging: {}}                                           | 2 | paging",
            "admin: {tls: {cert: missing.crt, key: missing.key}}            | 2 | missing.crt",
            "admin: {tls: {cert: missing.crt}}                              | 2 | key"})
    void mistakesAreReportedWithTheirLine(String section, int line, String words) {
        String text = "upstream: {port: 5432}\n" + section + "\n";
        assertThatThrownBy(() -> ServerConfigLoader.parse(text, "c.yaml", dir))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .anySatisfy(d -> {
                            assertThat(d.line()).isEqualTo(line);
                            assertThat(d.message()).contains(words);
                        }));
    }
}
