package dev.pgseal.keys.envelope;

import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.crypto.AesGcmAead;
import dev.pgseal.keys.crypto.AesGcmSivDeterministicAead;

/**
 * The two primitives of one key version, built from the resolver's key material and valid while
 * that same material object is alive (not replaced, not destroyed).
 */
record KeyPrimitives(SecretBytes material, AesGcmAead randomized, AesGcmSivDeterministicAead deterministic) {

    static KeyPrimitives of(DataKey key) {
        return new KeyPrimitives(key.material(), AesGcmAead.create(key.material()),
                AesGcmSivDeterministicAead.create(key.material()));
    }

    /** Whether these primitives were built from {@code key}'s material, and it is still alive. */
    boolean servesMaterialOf(DataKey key) {
        return material == key.material() && !material.isDestroyed();
    }
}
