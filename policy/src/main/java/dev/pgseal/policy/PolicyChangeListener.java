package dev.pgseal.policy;

import java.util.Set;

/** Told by {@link PolicyWatcher} when a new valid policy has replaced the old one. */
@FunctionalInterface
public interface PolicyChangeListener {

    /**
     * Called once per accepted change, on the thread that reloaded, after the new policy is in force.
     *
     * @param before the policy that was in force
     * @param after the policy now in force
     * @param changedTables the tables whose protection changed (see {@link Policy#changedTables})
     */
    void policyChanged(Policy before, Policy after, Set<QualifiedName> changedTables);
}
