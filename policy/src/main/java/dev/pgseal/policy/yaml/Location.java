package dev.pgseal.policy.yaml;

/**
 * A position in a source file, 1-based. Line 0 means "the whole file" (for problems such as a
 * file that cannot be read), and then {@link #toString()} prints only the file name.
 *
 * @param file the file name as the user should see it (usually as given on the command line)
 * @param line the line, from 1; 0 when no position applies
 * @param column the column, from 1; 0 when no position applies
 */
public record Location(String file, int line, int column) {

    public Location {
        if (file == null) {
            throw new IllegalArgumentException("file is required");
        }
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must not be negative");
        }
    }

    /** A location that names only the file. */
    public static Location ofFile(String file) {
        return new Location(file, 0, 0);
    }

    /** {@code file:line:column}, or only {@code file} when no position applies. */
    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }
}
