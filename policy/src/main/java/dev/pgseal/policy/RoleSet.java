package dev.pgseal.policy;

import java.util.Set;
import java.util.TreeSet;

/**
 * The database roles allowed to read (or write) a column's plaintext: either every role
 * ({@code "*"} in the policy) or a set of role names (possibly empty: nobody).
 *
 * @param everyone whether every role is allowed
 * @param roles the allowed roles when {@code everyone} is false; empty otherwise
 */
public record RoleSet(boolean everyone, Set<String> roles) {

    private static final RoleSet ALL = new RoleSet(true, Set.of());
    private static final RoleSet NONE = new RoleSet(false, Set.of());

    public RoleSet {
        roles = Set.copyOf(roles);
        if (everyone && !roles.isEmpty()) {
            throw new IllegalArgumentException("a set of all roles lists no names");
        }
    }

    /** Every role. */
    public static RoleSet all() {
        return ALL;
    }

    /** No role at all. */
    public static RoleSet none() {
        return NONE;
    }

    /** Exactly the named roles (names as in {@code pg_roles.rolname}). */
    public static RoleSet of(Set<String> roles) {
        return roles.isEmpty() ? NONE : new RoleSet(false, roles);
    }

    /** Whether {@code role} (as in {@code pg_roles.rolname}) is allowed. */
    public boolean contains(String role) {
        return everyone || roles.contains(role);
    }

    /** {@code *}, or the sorted role names separated by commas, or {@code (nobody)}. */
    @Override
    public String toString() {
        if (everyone) {
            return "*";
        }
        return roles.isEmpty() ? "(nobody)" : String.join(", ", new TreeSet<>(roles));
    }
}
