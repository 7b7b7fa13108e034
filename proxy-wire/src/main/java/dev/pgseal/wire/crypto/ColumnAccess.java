package dev.pgseal.wire.crypto;

import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.RoleSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The roles whose rights a session has for protected columns: the session user and every policy
 * role it is a member of ({@code pg_has_role(user, role, 'MEMBER')}, looked up at admission).
 * Today this follows the user of the StartupMessage; {@code SET ROLE} and
 * {@code SET SESSION AUTHORIZATION} tracking will replace the set when the session changes role.
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
