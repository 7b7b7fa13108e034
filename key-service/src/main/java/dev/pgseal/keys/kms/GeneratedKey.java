package dev.pgseal.keys.kms;

import dev.pgseal.keys.SecretBytes;
import java.util.Objects;

/**
 * The material of a new key version, before it is wrapped under the master key.
 *
 * @param material what gets wrapped: the AES key, or the encoded key pair (the caller erases it
 *     once wrapped)
 * @param publicKey the public key as X.509 SubjectPublicKeyInfo (DER), stored in the clear; null
 *     for AES-256-GCM (not copied: treat as read-only)
 */
public record GeneratedKey(SecretBytes material, byte[] publicKey) {
    public GeneratedKey {
        Objects.requireNonNull(material, "material");
    }

    @Override
    public String toString() {
        return "GeneratedKey[" + material + (publicKey == null ? "" : ", public key " + publicKey.length + " bytes") + "]";
    }
}
