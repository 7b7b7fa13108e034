package dev.pgseal.policy;

import dev.pgseal.policy.yaml.Diagnostic;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A user error: a policy file that cannot be used. The message lists every error, one per line,
 * each as {@code file:line:column: message}.
 */
public final class InvalidPolicyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient PolicyLoadResult result;

    public InvalidPolicyException(PolicyLoadResult result) {
        super("invalid policy " + result.file() + " (" + result.errors().size() + " error"
                + (result.errors().size() == 1 ? "" : "s") + "):\n"
                + result.errors().stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        this.result = result;
    }

    /** The errors, each with file, line and column. */
    public List<Diagnostic> errors() {
        return result.errors();
    }

    /** The whole load result. */
    public PolicyLoadResult result() {
        return result;
    }
}
