package dev.pgseal.policy.yaml;

/**
 * One problem found in a configuration file, with the place it was found. The message names the
 * offending key or value; it never holds a secret.
 *
 * @param severity whether the problem makes the file unusable
 * @param location where the problem is
 * @param message what is wrong, naming the key or value
 */
public record Diagnostic(Severity severity, Location location, String message) {

    /** How serious a problem is. */
    public enum Severity {
        /** The file is rejected. */
        ERROR,
        /** The file is accepted, but something is probably not what the author meant. */
        WARNING
    }

    public Diagnostic {
        if (severity == null || location == null || message == null) {
            throw new IllegalArgumentException("severity, location and message are required");
        }
    }

    public String file() {
        return location.file();
    }

    public int line() {
        return location.line();
    }

    public int column() {
        return location.column();
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** For example {@code policy.yaml:12:7: unknown key 'encrytion' (did you mean 'encryption'?)}. */
    @Override
    public String toString() {
        return location + ": " + (severity == Severity.WARNING ? "warning: " : "") + message;
    }
}
