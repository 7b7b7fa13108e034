package dev.pgseal.policy;

/** What a role that is not among a column's readers gets when a statement returns that column. */
public enum OnUnauthorized {
    /** The statement fails with SQLSTATE 42501 naming the column. */
    ERROR,
    /** The column reads as NULL. */
    NULLIFY,
    /** The column reads as the column's mask pattern applied to the plaintext. */
    MASK,
    /** The column reads as the stored ciphertext envelope ({@code bytea}), e.g. for backup roles. */
    CIPHERTEXT
}
