package dev.pgseal.keys.envelope;

import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.crypto.AesGcmAead;
import dev.pgseal.keys.crypto.AesGcmSivDeterministicAead;
import dev.pgseal.keys.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The two primitives of one key version, each keyed with its own HKDF-SHA256 subkey of the data key
 * (envelope format version 2, see docs/crypto.md), built from the resolver's key material and valid
 * while that same material object is alive (not replaced, not destroyed).
 */
record KeyPrimitives(SecretBytes material, AesGcmAead randomized, AesGcmSivDeterministicAead deterministic) {

    /** HKDF info of the randomized mode's subkey (a stored format: never change). */
    static final byte[] RANDOMIZED_INFO = "pgseal envelope v2 randomized aes-256-gcm".getBytes(StandardCharsets.US_ASCII);
    /** HKDF info of the deterministic mode's subkey (a stored format: never change). */
    static final byte[] DETERMINISTIC_INFO =
            "pgseal envelope v2 deterministic aes-256-gcm-siv".getBytes(StandardCharsets.US_ASCII);
    private static final int SUBKEY_BYTES = 32;

    static KeyPrimitives of(DataKey key) {
        try (SecretBytes gcmKey = subkey(key.material(), RANDOMIZED_INFO);
                SecretBytes sivKey = subkey(key.material(), DETERMINISTIC_INFO)) {
            // Both primitives copy what they need; the subkeys are erased on leaving this block.
            return new KeyPrimitives(key.material(), AesGcmAead.create(gcmKey), AesGcmSivDeterministicAead.create(sivKey));
        }
    }

    /** HKDF-SHA256 with no salt (the data key is already uniformly random) and the mode's info. */
    static SecretBytes subkey(SecretBytes dataKey, byte[] info) {
        byte[] okm = Hkdf.deriveSha256(dataKey.reveal(SecretAccess.INSTANCE), null, info, SUBKEY_BYTES);
        try {
            return SecretBytes.copyOf(okm, SecretAccess.INSTANCE);
        } finally {
            Arrays.fill(okm, (byte) 0);
        }
    }

    /** Whether these primitives were built from {@code key}'s material, and it is still alive. */
    boolean servesMaterialOf(DataKey key) {
        return material == key.material() && !material.isDestroyed();
    }
}
