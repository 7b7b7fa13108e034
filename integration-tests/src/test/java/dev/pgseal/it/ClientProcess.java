package dev.pgseal.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real client program (psql, pgbench, openssl) in a working folder, with a hard time limit. */
public final class ClientProcess {

    private ClientProcess() {
    }

    /** What a finished process left: its exit code and everything it printed. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /**
     * Runs {@code command} in {@code workDir} with {@code extraEnv} added to a clean libpq
     * environment (no inherited PG* variables), and kills it when it outlives {@code limit}.
     */
    public static Result run(Path workDir, Duration limit, Map<String, String> extraEnv, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "stdout", ".txt");
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("PG"));
            env.put("PGCONNECT_TIMEOUT", "10");
            env.put("LC_ALL", "C.UTF-8");
            env.putAll(extraEnv);
            Process process = pb.start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not finish within " + limit + "; output so far:\n"
                        + Files.readString(out, StandardCharsets.UTF_8) + "\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
