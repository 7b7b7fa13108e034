package dev.pgseal.wire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.policy.yaml.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theDocumentedExampleLoadsWithItsDefaults() {
        ServerConfig c = ServerConfigLoader.load(Path.of("../examples/pgseal.yaml"));
        assertThat(c.listen()).isEqualTo(new ServerConfig.Listen("127.0.0.1", 6543));
        assertThat(c.upstream()).isEqualTo(new ServerConfig.Upstream("127.0.0.1", 5432, ServerConfig.UpstreamTls.DISABLE));
        assertThat(c.tls().mode()).isEqualTo(ServerConfig.ClientTlsMode.DISABLE);
        assertThat(c.limits()).isEqualTo(new ServerConfig.Limits(67108864, 2000));
        assertThat(c.policy()).isEmpty();
        assertThat(c.keystore()).isEmpty();
    }

    @Test
    void onlyUpstreamIsRequiredAndEverythingElseDefaults() {
        ServerConfig c = ServerConfigLoader.parse("upstream: {port: 5433}\n", "c.yaml", dir);
        assertThat(c.listen()).isEqualTo(ServerConfig.Listen.DEFAULT);
        assertThat(c.upstream().port()).isEqualTo(5433);
        assertThat(c.limits()).isEqualTo(ServerConfig.Limits.DEFAULT);
        assertThat(c.admin()).isEqualTo(ServerConfig.Admin.DEFAULT);
    }

    @Test
    void relativePathsResolveAgainstTheConfigFolderAndSecretsAreOnlyNamed() throws IOException {
        Files.writeString(dir.resolve("policy.yaml"), "version: 1\n");
        Files.writeString(dir.resolve("pin.txt"), "1234\n");
        Path lib = Files.writeString(dir.resolve("libsofthsm2.so"), "");
        String text = """
                upstream: {host: db.internal, port: 5432, tls: verify-full}
                policy: policy.yaml
                keystore:
                  type: pkcs11
                  library: %s
                  token_label: pgseal
                  pin_file: pin.txt
                store:
                  url: jdbc:postgresql://127.0.0.1:5432/postgres
                  password_env: PGSEAL_STORE_PASSWORD
                """.formatted(lib);
        ServerConfig c = ServerConfigLoader.parse(text, "c.yaml", dir);
        assertThat(c.upstream().tls()).isEqualTo(ServerConfig.UpstreamTls.VERIFY_FULL);
        assertThat(c.policy()).contains(dir.resolve("policy.yaml"));
        KeystoreSettings ks = c.keystore().orElseThrow();
        assertThat(ks.pin().orElseThrow().file()).isEqualTo(dir.resolve("pin.txt"));
        assertThat(ks.masterKeyLabel()).isEqualTo(KeystoreSettings.DEFAULT_MASTER_KEY_LABEL);
        assertThat(c.store().orElseThrow().password().orElseThrow().environmentVariable()).isEqualTo("PGSEAL_STORE_PASSWORD");
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("listen: {host: 127.0.0.1}\n", "1:1: missing required key 'upstream'"),
                Arguments.of("upstream: {}\nlisten: {prot: 1}\n", "2:10: unknown key 'prot' (did you mean 'port'?)"),
                Arguments.of("upstream: {}\nlimts: {}\n", "2:1: unknown key 'limts' (did you mean 'limits'?)"),
                Arguments.of("upstream: {port: 70000}\n", "1:18: 'port' must be between 0 and 65535, not 70000"),
                Arguments.of("upstream: {port: abc}\n", "1:18: 'port' must be a whole number, not 'abc'"),
                Arguments.of("upstream: {tls: verify}\n",
                        "1:17: invalid value 'verify' for 'tls'; expected one of: disable, require, verify-full"),
                Arguments.of("upstream: {}\ntls: {mode: require}\n", "2:6: tls mode 'require' needs 'cert'"),
                Arguments.of("upstream: {}\ntls: {mode: always}\n", "2:13: invalid value 'always' for 'mode'"),
                Arguments.of("upstream: {}\nlimits: {max_client_connections: 0}\n",
                        "2:34: 'max_client_connections' must be between 1 and 1000000, not 0"),
                Arguments.of("upstream: {}\npolicy: nowhere.yaml\n", "2:9: policy file 'nowhere.yaml' does not exist"),
                Arguments.of("upstream: {}\nkeystore: {type: software, file: k.p12}\nstore: {url: jdbc:postgresql://h/db}\n",
                        "2:11: exactly one of 'passphrase_env' (an environment variable) and 'passphrase_file'"),
                Arguments.of("upstream: {}\nkeystore: {type: software, file: k.p12, passphrase_env: X, pin_env: Y}\n"
                        + "store: {url: jdbc:postgresql://h/db}\n", "2:60: 'pin_env' is not used for type software"),
                Arguments.of("upstream: {}\nkeystore: {type: software, file: k.p12, passphrase_env: X}\n",
                        "2:1: 'keystore' needs a 'store' section"),
                Arguments.of("upstream: {}\nstore: {url: 'postgres://h/db'}\n", "2:14: 'url' must be a PostgreSQL JDBC URL"),
                Arguments.of("upstream: [a, b]\n", "1:11: 'upstream' must be a mapping"),
                Arguments.of("upstream: {\n", "YAML syntax error"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badConfigs")
    void reportsEachProblemWithItsLineAndColumn(String text, String expected) {
        assertThatThrownBy(() -> ServerConfigLoader.parse(text, "c.yaml", dir))
                .isInstanceOfSatisfying(InvalidConfigException.class, e ->
                        assertThat(e.errors()).extracting(Diagnostic::toString).anySatisfy(m ->
                                assertThat(m).contains(expected)));
    }

    @Test
    void reportsAllProblemsAtOnce() {
        String text = "upstream: {port: x, tls: nope}\nlisten: {hots: a}\nlimits: {max_message_bytes: 1}\n";
        assertThatThrownBy(() -> ServerConfigLoader.parse(text, "c.yaml", dir))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors()).hasSize(4));
    }

    @Test
    void preAuthenticationLimitsAreReadAndDefaultWhenAbsent() {
        ServerConfig c = ServerConfigLoader.parse("""
                upstream: {}
                limits: {max_startup_message_bytes: 4096, max_connections_per_address: 7, max_buffered_bytes: 1073741824}
                """, "c.yaml", dir);
        assertThat(c.limits()).isEqualTo(new ServerConfig.Limits(67108864, 2000, 4096, 7, 1L << 30));
        ServerConfig d = ServerConfigLoader.parse("upstream: {}\nlimits: {max_message_bytes: 65536}\n", "c.yaml", dir);
        assertThat(d.limits().maxStartupMessageBytes()).isEqualTo(8192);
        assertThat(d.limits().maxConnectionsPerAddress()).isEqualTo(100);
        assertThat(d.limits().maxBufferedBytes()).isEqualTo(256L * 1024 * 1024);
    }

    @Test
    void upstreamCaResolvesAgainstTheConfigFolder() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        ServerConfig c = ServerConfigLoader.parse("upstream: {host: db, tls: verify-full, ca: ca.pem}\n", "c.yaml", dir);
        assertThat(c.upstream().ca()).contains(dir.resolve("ca.pem"));
        assertThat(c.upstream().tls()).isEqualTo(ServerConfig.UpstreamTls.VERIFY_FULL);
    }

    static Stream<Arguments> badEdgeConfigs() {
        return Stream.of(
                Arguments.of("upstream: {tls: require, ca: ca.pem}\n",
                        "1:26: 'ca' is used only with 'tls: verify-full'"),
                Arguments.of("upstream: {tls: verify-full, ca: none.pem}\n",
                        "1:34: CA certificate file 'none.pem' does not exist"),
                Arguments.of("upstream: {}\nlimits: {max_message_bytes: 9000, max_startup_message_bytes: 10000}\n",
                        "'max_startup_message_bytes' (10000) must not exceed 'max_message_bytes' (9000)"),
                Arguments.of("upstream: {}\nlimits: {max_startup_message_bytes: 100}\n",
                        "'max_startup_message_bytes' must be between 1024 and 1048576, not 100"),
                Arguments.of("upstream: {}\nlimits: {max_connections_per_address: 0}\n",
                        "'max_connections_per_address' must be between 1 and 1000000, not 0"),
                Arguments.of("upstream: {}\nlimits: {max_buffered_bytes: lots}\n",
                        "'max_buffered_bytes' must be a whole number, not 'lots'"),
                Arguments.of("upstream: {}\nlimits: {max_buffered_bytes: 1000}\n",
                        "'max_buffered_bytes' must be between 1048576 and 1099511627776, not 1000"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badEdgeConfigs")
    void reportsEachEdgeProblemWithItsPosition(String text, String expected) throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "x");
        reportsEachProblemWithItsLineAndColumn(text, expected);
    }

    @Test
    void aMissingFileIsOneClearError() {
        assertThatThrownBy(() -> ServerConfigLoader.load(dir.resolve("absent.yaml")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("absent.yaml")
                .hasMessageContaining("cannot read config file");
    }
}
