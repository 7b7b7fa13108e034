package dev.pgseal.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.testing.PostgresFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * psql through pgseal prints exactly what it prints against PostgreSQL: several statements per line,
 * {@code \copy} both ways, notices, errors mid-script (with and without ON_ERROR_STOP), and a
 * multi-statement simple query that fails in the middle.
 */
class PsqlIT extends PgsealTestBase {

    @TempDir
    Path work;

    /** psql's outcome plus the file its {@code \copy ... to} wrote (empty when it did not get there). */
    record ScriptOutcome(ClientProcess.Result psql, String copiedOut) {
    }

    @ParameterizedTest(name = "ON_ERROR_STOP={0}")
    @ValueSource(ints = {0, 1})
    void scriptGivesTheSameOutputAndFilesAsDirect(int onErrorStop) throws Exception {
        ScriptOutcome expected = runScript(direct, "expected", onErrorStop);
        ScriptOutcome actual = runScript(through, "actual", onErrorStop);

        if (onErrorStop == 1) {
            assertThat(expected.psql().exitCode()).isEqualTo(3);
            assertThat(expected.psql().stdout()).doesNotContain("after error");
            assertThat(expected.copiedOut()).isEmpty();
        } else {
            assertThat(expected.psql().exitCode()).isZero();
            assertThat(expected.psql().stdout()).contains("same line after error", "first_of_three", "five \"quoted\"");
            assertThat(expected.psql().stderr()).contains("NOTICE:  notice with a parameter", "ERROR:  division by zero");
            assertThat(expected.copiedOut()).startsWith("id,name,price\n1,one,1.10\n").contains("\"five \"\"quoted\"\"\"");
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void multiStatementQueryStringFailingInTheMiddleGivesTheSameOutputAsDirect() throws Exception {
        String query = "select 1 as first; select 1 / 0 as second; select 3 as never";
        ClientProcess.Result expected = psql(direct, folder("multi-expected"), List.of("-c", query));
        ClientProcess.Result actual = psql(through, folder("multi-actual"), List.of("-c", query));
        assertThat(expected.exitCode()).isEqualTo(1);
        assertThat(expected.stdout()).contains("first").doesNotContain("never");
        assertThat(expected.stderr()).contains("division by zero");
        assertThat(actual).isEqualTo(expected);
    }

    private ScriptOutcome runScript(Target target, String label, int onErrorStop) throws IOException, InterruptedException {
        Path dir = folder("script-" + label + "-" + onErrorStop);
        for (String file : List.of("script.sql", "items-in.csv")) {
            try (InputStream in = PsqlIT.class.getResourceAsStream("/psql/" + file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
        ClientProcess.Result result = psql(target, dir, List.of("-v", "ON_ERROR_STOP=" + onErrorStop, "-f", "script.sql"));
        Path out = dir.resolve("items-out.csv");
        return new ScriptOutcome(result, Files.exists(out) ? Files.readString(out) : "");
    }

    private Path folder(String name) throws IOException {
        return Files.createDirectories(work.resolve(name));
    }

    private ClientProcess.Result psql(Target target, Path dir, List<String> arguments) throws IOException, InterruptedException {
        PostgresFixture server = PostgresFixture.get();
        List<String> command = new ArrayList<>(List.of("psql", "-X", "-P", "pager=off"));
        command.addAll(arguments);
        command.addAll(target.libpqArguments(database.name(), server.user()));
        Map<String, String> env = new HashMap<>();
        if (server.password() != null) {
            env.put("PGPASSWORD", server.password());
        }
        return ClientProcess.run(dir, Duration.ofSeconds(60), env, command);
    }
}
