package dev.pgseal.wire.config;

import dev.pgseal.policy.yaml.Diagnostic;
import java.util.List;
import java.util.stream.Collectors;

/** A server config file that cannot be used; carries every problem found, each with file, line and column. */
public final class InvalidConfigException extends RuntimeException {

    private final List<Diagnostic> errors;

    public InvalidConfigException(List<Diagnostic> errors) {
        super(errors.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** The problems, ordered by position. */
    public List<Diagnostic> errors() {
        return errors;
    }
}
