package dev.pgseal.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a helper program (openssl, initdb, pg_ctl, psql) for a test with a hard time limit. Output
 * goes to a file rather than a pipe: reading a pipe to its end would wait for the program however
 * long it runs, and the limit would never apply.
 */
public final class ExternalCommand {

    /** How long any helper program may run before the test fails. */
    public static final Duration LIMIT = Duration.ofSeconds(120);

    private ExternalCommand() {
    }

    /** Runs {@code command} in {@code dir}; returns its output, or fails with it on a non-zero exit or a timeout. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("pgseal-command", ".out");
        try {
            Process p = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + LIMIT.toSeconds()
                        + " s; output so far:\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with exit " + p.exitValue() + ": " + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
