package dev.pgseal.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * One version of a key ring: its state, its wrapped material (absent once destroyed) and the
 * times of its lifecycle. Immutable; the key service replaces versions, never mutates them.
 *
 * @param version the version number, from 1
 * @param state the lifecycle state
 * @param wrapped the data key wrapped under a master key; null once destroyed
 * @param createdAt when it was generated
 * @param activatedAt when it became primary, or null
 * @param deactivatedAt when it stopped encrypting, or null
 * @param compromisedAt when it was marked compromised, or null
 * @param destroyedAt when its material was erased, or null
 * @param deletionDueAt when a scheduled deletion will destroy it, or null
 * @param encryptions how many values were encrypted under it, as last recorded in the store (each
 *     instance adds its in-memory count periodically and on close, so it may lag behind)
 * @param publicKey the public key (X.509 SubjectPublicKeyInfo, DER) of an asymmetric ring's version,
 *     kept in the clear; null for AES-256-GCM (not copied: treat as read-only)
 */
public record KeyVersion(
        int version,
        KeyState state,
        WrappedKey wrapped,
        Instant createdAt,
        Instant activatedAt,
        Instant deactivatedAt,
        Instant compromisedAt,
        Instant destroyedAt,
        Instant deletionDueAt,
        long encryptions,
        byte[] publicKey) {

    public KeyVersion {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1: " + version);
        }
        if (encryptions < 0) {
            throw new IllegalArgumentException("encryptions must be >= 0: " + encryptions);
        }
    }

    /** A version of an AES-256-GCM ring (no public key). */
    public KeyVersion(int version, KeyState state, WrappedKey wrapped, Instant createdAt, Instant activatedAt,
            Instant deactivatedAt, Instant compromisedAt, Instant destroyedAt, Instant deletionDueAt, long encryptions) {
        this(version, state, wrapped, createdAt, activatedAt, deactivatedAt, compromisedAt, destroyedAt, deletionDueAt,
                encryptions, null);
    }

    /** The label of the master key the material is wrapped under, or null once destroyed. */
    public String masterKeyLabel() {
        return wrapped == null ? null : wrapped.masterKeyLabel();
    }

    /** This version moved to {@code target} at {@code now} (no legality check: see {@link KeyRing}). */
    KeyVersion movedTo(KeyState target, Instant now) {
        return new KeyVersion(version, target,
                target == KeyState.DESTROYED ? null : wrapped,
                createdAt,
                target == KeyState.ACTIVE ? now : activatedAt,
                target == KeyState.DEACTIVATED ? now : deactivatedAt,
                target == KeyState.COMPROMISED ? now : compromisedAt,
                target == KeyState.DESTROYED ? now : destroyedAt,
                target == KeyState.DESTROYED ? null : deletionDueAt, encryptions, publicKey);
    }

    KeyVersion withWrapped(WrappedKey w) {
        return new KeyVersion(version, state, w, createdAt, activatedAt, deactivatedAt, compromisedAt, destroyedAt,
                deletionDueAt, encryptions, publicKey);
    }

    KeyVersion withDeletionDueAt(Instant due) {
        return new KeyVersion(version, state, wrapped, createdAt, activatedAt, deactivatedAt, compromisedAt,
                destroyedAt, due, encryptions, publicKey);
    }
}
