package dev.pgseal.wire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code admin.tls.client_ca}: optional, a file relative to the config, and mistakes reported with their line. */
class AdminClientCaConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("admin.crt"), "-----BEGIN CERTIFICATE-----\n");
        Files.writeString(dir.resolve("admin.key"), "-----BEGIN PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("clients-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    }

    @Test
    void withoutClientCaNoClientCertificateIsAskedFor() {
        ServerConfig c = ServerConfigLoader.parse("upstream: {port: 5432}\nadmin: {tls: {cert: admin.crt, key: admin.key}}\n",
                "c.yaml", dir);
        assertThat(c.admin().tls().orElseThrow().clientCa()).isEmpty();
    }

    @Test
    void clientCaIsReadRelativeToTheConfigFile() {
        ServerConfig c = ServerConfigLoader.parse("upstream: {port: 5432}\n"
                + "admin: {tls: {cert: admin.crt, key: admin.key, client_ca: clients-ca.pem}}\n", "c.yaml", dir);
        assertThat(c.admin().tls()).contains(new ServerConfig.AdminTls(dir.resolve("admin.crt"),
                dir.resolve("admin.key"), Optional.of(dir.resolve("clients-ca.pem"))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "admin: {tls: {cert: admin.crt, key: admin.key, client_ca: missing-ca.pem}}  | 2 | missing-ca.pem",
            "admin: {tls: {cert: admin.crt, key: admin.key, client_cert: x.pem}}         | 2 | client_cert"})
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
