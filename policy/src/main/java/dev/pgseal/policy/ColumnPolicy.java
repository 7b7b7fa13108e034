package dev.pgseal.policy;

import java.util.Optional;

/**
 * How one column is protected. The physical column is {@code bytea}; clients see {@link #type()}.
 *
 * @param name the column name as in {@code pg_attribute.attname} (unquoted policy names are folded)
 * @param type the logical type the application sees
 * @param encryption randomized or deterministic
 * @param key the name of the key ring the column encrypts under
 * @param readers the roles that see plaintext
 * @param writers the roles that may write values (the policy's default: the readers)
 * @param onUnauthorized what other roles get when a statement returns the column
 * @param mask the mask pattern; present exactly when {@code onUnauthorized} is {@code MASK} (a
 *     pattern given with another mode is dropped by the loader with a warning)
 */
public record ColumnPolicy(String name, LogicalType type, Encryption encryption, String key, RoleSet readers,
        RoleSet writers, OnUnauthorized onUnauthorized, Optional<MaskPattern> mask) {

    public ColumnPolicy {
        if (name == null || name.isEmpty() || type == null || encryption == null || key == null
                || readers == null || writers == null || onUnauthorized == null || mask == null) {
            throw new IllegalArgumentException("every component of a column policy is required");
        }
        if (onUnauthorized == OnUnauthorized.MASK && mask.isEmpty()) {
            throw new IllegalArgumentException("on_unauthorized mask needs a mask pattern");
        }
    }

    /** Whether {@code role} sees this column's plaintext. */
    public boolean canRead(String role) {
        return readers.contains(role);
    }

    /** Whether {@code role} may write this column. */
    public boolean canWrite(String role) {
        return writers.contains(role);
    }

    public boolean isDeterministic() {
        return encryption == Encryption.DETERMINISTIC;
    }
}
