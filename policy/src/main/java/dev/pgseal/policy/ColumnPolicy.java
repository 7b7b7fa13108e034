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
 * @param equalityGroup the equality group the column belongs to ({@code equality_group:}, folded
 *     to lower case), only on deterministic columns. The envelope's associated data binds the group
 *     instead of the column, so the group's columns (one key ring, one logical type: the loader
 *     checks) compare equal on ciphertext and can be joined or copied into one another.
 */
public record ColumnPolicy(String name, LogicalType type, Encryption encryption, String key, RoleSet readers,
        RoleSet writers, OnUnauthorized onUnauthorized, Optional<MaskPattern> mask, Optional<String> equalityGroup) {

    public ColumnPolicy {
        if (name == null || name.isEmpty() || type == null || encryption == null || key == null
                || readers == null || writers == null || onUnauthorized == null || mask == null
                || equalityGroup == null) {
            throw new IllegalArgumentException("every component of a column policy is required");
        }
        if (onUnauthorized == OnUnauthorized.MASK && mask.isEmpty()) {
            throw new IllegalArgumentException("on_unauthorized mask needs a mask pattern");
        }
        if (equalityGroup.isPresent() && (equalityGroup.get().isEmpty() || encryption != Encryption.DETERMINISTIC)) {
            throw new IllegalArgumentException("an equality group needs a name and a deterministic column");
        }
    }

    /** A column in no equality group (its envelopes bind the column itself). */
    public ColumnPolicy(String name, LogicalType type, Encryption encryption, String key, RoleSet readers,
            RoleSet writers, OnUnauthorized onUnauthorized, Optional<MaskPattern> mask) {
        this(name, type, encryption, key, readers, writers, onUnauthorized, mask, Optional.empty());
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

    /**
     * Whether envelopes of this column (in {@code table}) and of {@code other} (in
     * {@code otherTable}) bind the same associated data, so that one column's envelope decrypts as
     * the other's and equal values compare equal: the same column, or two columns of one equality
     * group.
     */
    public boolean sharesEnvelopesWith(QualifiedName table, ColumnPolicy other, QualifiedName otherTable) {
        if (equalityGroup.isPresent() || other.equalityGroup.isPresent()) {
            return equalityGroup.equals(other.equalityGroup) && key.equals(other.key);
        }
        return table.equals(otherTable) && name.equals(other.name) && key.equals(other.key);
    }
}
