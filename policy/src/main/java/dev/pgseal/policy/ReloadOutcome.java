package dev.pgseal.policy;

import dev.pgseal.policy.yaml.Diagnostic;
import java.util.List;
import java.util.Set;

/** What one reload of the policy file did. */
public sealed interface ReloadOutcome {

    /**
     * The new policy is in force.
     *
     * @param changedTables the tables whose protection changed
     * @param warnings warnings of the new file
     * @param bindingChanges the columns whose envelopes bind other associated data than before (their
     *     equality group changed): values they already hold no longer decrypt (logged as warnings)
     */
    record Applied(Set<QualifiedName> changedTables, List<Diagnostic> warnings, List<BindingChange> bindingChanges)
            implements ReloadOutcome {
        public Applied {
            changedTables = Set.copyOf(changedTables);
            warnings = List.copyOf(warnings);
            bindingChanges = List.copyOf(bindingChanges);
        }

        /** An outcome in which no column's binding changed. */
        public Applied(Set<QualifiedName> changedTables, List<Diagnostic> warnings) {
            this(changedTables, warnings, List.of());
        }
    }

    /** The file is valid and means the same as the policy in force; nothing changed. */
    record Unchanged() implements ReloadOutcome {
    }

    /**
     * The file is invalid; the previous policy stays in force.
     *
     * @param errors the file's errors
     */
    record Rejected(List<Diagnostic> errors) implements ReloadOutcome {
        public Rejected {
            errors = List.copyOf(errors);
        }
    }
}
