package dev.pgseal.wire.crypto;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.RoleSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The roles whose rights a session has for protected columns: the current role and every policy
 * role it has been granted, directly or transitively (explicit grants only, looked up off the event
 * loop once per database and role). A session starts with its session user's; after
 * {@code SET ROLE}, {@code SET SESSION AUTHORIZATION} or {@code RESET} the session asks PostgreSQL
 * for {@code current_user} and takes that role's.
 *
 * @param roles the role names (as in {@code pg_roles.rolname}), the session user included
 */
public record ColumnAccess(Set<String> roles) {

    public ColumnAccess {
        roles = Set.copyOf(roles);
    }

    /** The user plus the policy roles it is a member of. */
    public static ColumnAccess of(String user, Set<String> memberOf) {
        Set<String> all = new HashSet<>(memberOf);
        all.add(user);
        return new ColumnAccess(all);
    }

    /** Whether these roles see the column's plaintext. */
    public boolean canRead(ColumnPolicy column) {
        return allows(column.readers());
    }

    /** Whether these roles may write the column. */
    public boolean canWrite(ColumnPolicy column) {
        return allows(column.writers());
    }

    private boolean allows(RoleSet set) {
        if (set.everyone()) {
            return true;
        }
        for (String role : roles) {
            if (set.roles().contains(role)) {
                return true;
            }
        }
        return false;
    }
}
