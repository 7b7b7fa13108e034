package dev.pgseal.keys.kms;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A JDK of version 24 or later, whose own ML-DSA and ML-KEM (JEP 496, 497) serve as the independent
 * implementation for pgseal's post-quantum outputs (pgseal uses Bouncy Castle). Found through
 * {@code PGSEAL_TEST_JDK25} or the Temurin 25 install these machines have; tests skip (assumption)
 * where none is installed, and say so.
 */
public final class Jdk25 {

    private Jdk25() {
    }

    /** The {@code java} launcher of a JDK 25, if one is installed. */
    public static Optional<Path> java() {
        String env = System.getenv("PGSEAL_TEST_JDK25");
        for (String home : new String[] {env, "/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/java-25-openjdk-amd64"}) {
            if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "java"))) {
                return Optional.of(Path.of(home, "bin", "java"));
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code Jdk25PostQuantumCheck} (test resource {@code kms/}) on {@code dir} and returns its
     * output lines (see that program for the files it reads and writes).
     */
    public static List<String> runCheck(Path java, Path dir) {
        try {
            Path source = dir.resolve("Jdk25PostQuantumCheck.java");
            try (InputStream in = Jdk25.class.getResourceAsStream("/kms/Jdk25PostQuantumCheck.java")) {
                Files.copy(in, source);
            }
            Path out = dir.resolve("jdk25.out");
            Process p = new ProcessBuilder(java.toString(), source.toString(), dir.toString()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the JDK 25 check did not finish within 120 s");
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("the JDK 25 check failed: " + String.join("\n", lines));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
