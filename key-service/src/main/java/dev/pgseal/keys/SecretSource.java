package dev.pgseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a secret such as a PIN or a password comes from: an environment variable or a file. The
 * config names the source; the value is read only when needed and never printed.
 *
 * @param environmentVariable the variable's name, or null
 * @param file the file's path, or null
 */
public record SecretSource(String environmentVariable, Path file) {

    public SecretSource {
        if ((environmentVariable == null) == (file == null)) {
            throw new IllegalArgumentException("exactly one of environment variable and file is required");
        }
    }

    /** From an environment variable. */
    public static SecretSource env(String name) {
        return new SecretSource(Objects.requireNonNull(name), null);
    }

    /** From a file (its content, with one trailing newline removed). */
    public static SecretSource file(Path path) {
        return new SecretSource(null, Objects.requireNonNull(path));
    }

    /** Reads the secret from the process environment or the file. */
    public char[] read() {
        return read(System.getenv());
    }

    /**
     * Reads the secret.
     *
     * @throws IllegalStateException naming the variable or file (never the value) when it is unset
     *     or unreadable
     */
    public char[] read(Map<String, String> environment) {
        if (environmentVariable != null) {
            String v = environment.get(environmentVariable);
            if (v == null) {
                throw new IllegalStateException("environment variable " + environmentVariable + " is not set");
            }
            return v.toCharArray();
        }
        try {
            String v = Files.readString(file, StandardCharsets.UTF_8);
            if (v.endsWith("\n")) {
                v = v.substring(0, v.length() - 1);
            }
            if (v.endsWith("\r")) {
                v = v.substring(0, v.length() - 1);
            }
            return v.toCharArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read secret file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Describes the source, never the value. */
    @Override
    public String toString() {
        return environmentVariable != null ? "env:" + environmentVariable : "file:" + file;
    }
}
