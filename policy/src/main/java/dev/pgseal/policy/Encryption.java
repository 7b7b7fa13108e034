package dev.pgseal.policy;

/** How a protected column is encrypted. */
public enum Encryption {
    /**
     * Equal plaintexts give different ciphertexts (fresh nonce per value). Nothing but storage and
     * retrieval is possible on the column; the strongest choice.
     */
    RANDOMIZED,
    /**
     * Equal plaintexts under one key version give equal ciphertexts, so equality predicates,
     * joins on equality and unique indexes work; it reveals which rows hold equal values.
     */
    DETERMINISTIC
}
