package dev.pgseal.policy;

import dev.pgseal.policy.yaml.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of loading a policy file: the policy when the file is valid, and every problem
 * found (errors make the file invalid; warnings do not).
 *
 * @param file the file name used in diagnostics
 * @param policy the policy; present exactly when there are no errors
 * @param errors the errors, ordered by position
 * @param warnings the warnings, ordered by position
 */
public record PolicyLoadResult(String file, Optional<Policy> policy, List<Diagnostic> errors, List<Diagnostic> warnings) {

    public PolicyLoadResult {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
        if (policy.isPresent() != errors.isEmpty()) {
            throw new IllegalArgumentException("a result holds a policy exactly when it has no errors");
        }
    }

    /** Whether the file was valid. */
    public boolean isValid() {
        return policy.isPresent();
    }

    /** Errors and then warnings. */
    public List<Diagnostic> diagnostics() {
        List<Diagnostic> all = new ArrayList<>(errors);
        all.addAll(warnings);
        return List.copyOf(all);
    }

    /**
     * The policy, or an {@link InvalidPolicyException} whose message lists every error.
     *
     * @throws InvalidPolicyException when the file was invalid
     */
    public Policy orElseThrow() {
        return policy.orElseThrow(() -> new InvalidPolicyException(this));
    }
}
