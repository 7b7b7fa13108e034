package dev.pgseal.policy.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem found while reading a file, so that all of them can be reported at once
 * instead of only the first. Not thread-safe: one collector per read.
 */
public final class Diagnostics {

    private static final Comparator<Diagnostic> BY_POSITION = Comparator
            .comparing((Diagnostic d) -> d.location().file())
            .thenComparingInt(Diagnostic::line)
            .thenComparingInt(Diagnostic::column);

    private final List<Diagnostic> recorded = new ArrayList<>();

    /** Records an error at {@code where}. */
    public void error(Location where, String message) {
        recorded.add(new Diagnostic(Diagnostic.Severity.ERROR, where, message));
    }

    /** Records an error at the node's position. */
    public void error(YamlNode where, String message) {
        error(where.location(), message);
    }

    /** Records a warning at {@code where}. */
    public void warning(Location where, String message) {
        recorded.add(new Diagnostic(Diagnostic.Severity.WARNING, where, message));
    }

    /** Records a warning at the node's position. */
    public void warning(YamlNode where, String message) {
        warning(where.location(), message);
    }

    /** How many errors were recorded so far. */
    public int errorCount() {
        return (int) recorded.stream().filter(Diagnostic::isError).count();
    }

    public boolean hasErrors() {
        return recorded.stream().anyMatch(Diagnostic::isError);
    }

    /** Every problem, ordered by position (problems at one position keep the order they were found in). */
    public List<Diagnostic> all() {
        List<Diagnostic> sorted = new ArrayList<>(recorded);
        sorted.sort(BY_POSITION);
        return List.copyOf(sorted);
    }

    /** The errors, ordered by position. */
    public List<Diagnostic> errors() {
        return all().stream().filter(Diagnostic::isError).toList();
    }

    /** The warnings, ordered by position. */
    public List<Diagnostic> warnings() {
        return all().stream().filter(d -> !d.isError()).toList();
    }
}
