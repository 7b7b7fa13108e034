package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MainTest {

    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one command line. */
    record Result(int exitCode, String out, String err) {
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Every command and subcommand pgseal has, read from its command tree (none can be forgotten here). */
    static java.util.stream.Stream<String> everyCommand() {
        List<String> out = new ArrayList<>();
        collect(new picocli.CommandLine(new Main()), "", out);
        return out.stream();
    }

    private static void collect(picocli.CommandLine cl, String prefix, List<String> out) {
        for (Map.Entry<String, picocli.CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            String name = prefix.isEmpty() ? e.getKey() : prefix + " " + e.getKey();
            out.add(name);
            collect(e.getValue(), name, out);
        }
    }

    @Test
    void theCommandTreeIsTheOneTheDocsDescribe() {
        assertThat(everyCommand()).contains("keys grant", "keys min-decryption-version", "master-key rotate",
                "alerts list", "tokens totp-enroll", "tokens cert-add", "audit verify");
    }

    @ParameterizedTest(name = "pgseal {0} --help")
    @MethodSource("everyCommand")
    void everyCommandDescribesItselfWithAnExample(String command) {
        String[] words = (command + " --help").split(" ");
        Result r = run(words);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: pgseal " + command).contains("Example");
    }

    @Test
    void serveHelpDescribesEveryConfigKey() {
        String help = run("serve", "--help").out();
        for (String key : new String[] {"listen.host", "listen.port", "upstream.host", "upstream.port", "upstream.tls",
                "tls.mode", "tls.cert", "tls.key", "policy", "keystore", "store", "admin.host",
                "limits.max_message_bytes", "limits.max_client_connections"}) {
            assertThat(help).contains(key);
        }
    }

    @Test
    void badUsageExitsWithTwo() {
        assertThat(run("serve").exitCode()).isEqualTo(2);
        assertThat(run("no-such-command").exitCode()).isEqualTo(2);
    }

    @Test
    void serveRefusesAnInvalidConfigWithEveryProblemAndExitOne() throws IOException {
        Path cfg = Files.writeString(dir.resolve("pgseal.yaml"), "upstream: {prot: 5432}\nlisten: {port: -1}\n");
        Result r = run("serve", "--config", cfg.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("pgseal.yaml:1:12: unknown key 'prot' (did you mean 'port'?)")
                .contains("pgseal.yaml:2:16: 'port' must be between 0 and 65535, not -1");
    }

    @Test
    void serveCheckAcceptsTheDocumentedExample() {
        Result r = run("serve", "--config", "../examples/pgseal.yaml", "--check");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("is valid");
    }

    @Test
    void policyValidateSummarisesAValidPolicyAndListsErrorsOfABadOne() throws IOException {
        Result ok = run("policy", "validate", "../examples/policies/patients.yaml");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).contains("patients");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                version: 1
                keys:
                  - name: k
                tables:
                  - name: t
                    primary_key: id
                    columns:
                      - name: c
                        type: strnig
                        encrytion: deterministic
                        key: k
                        readers: ["*"]
                """);
        Result r = run("policy", "validate", bad.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("bad.yaml:9:15").contains("bad.yaml:10:9").contains("encryption");

        Result json = run("policy", "validate", "--json", bad.toString());
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.out().strip()).startsWith("{").contains("\"line\"");
    }

    @Test
    void policySchemaPrintsTheJsonSchema() {
        Result r = run("policy", "schema");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("\"$schema\"");
    }

    @Test
    void keysListNeedsAStoreSection() {
        Result r = run("keys", "list", "--config", "../examples/pgseal.yaml");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("has no 'store' section");
    }

    @Test
    void libpqUrlsBecomeJdbcUrlsAndPasswordsAreRedacted() {
        assertThat(Urls.toJdbc("postgresql://app:s3cret@db.example:5433/shop?sslmode=require"))
                .isEqualTo("jdbc:postgresql://db.example:5433/shop?sslmode=require&user=app&password=s3cret");
        assertThat(Urls.toJdbc("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db");
        assertThat(Urls.redact("postgresql://app:s3cret@h/db")).doesNotContain("s3cret");
        assertThat(Urls.redact("jdbc:postgresql://h/db?user=a&password=s3cret")).doesNotContain("s3cret");
    }
}
