package dev.pgseal.keys;

import dev.pgseal.keys.kms.KeyType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named key ring (one per policy key) and its versions. Immutable: every operation returns a new
 * ring, checked by {@link #checkInvariants()}; the key service persists the new ring and only then
 * publishes it, so a failed save leaves memory as it was (Vault's rotate, without the undo step).
 *
 * @param id the numeric id stored in every envelope
 * @param name the ring's name (the policy key's name)
 * @param createdAt when it was created
 * @param rotationPeriod the automatic rotation period, or null for manual rotation only
 * @param minDecryptionVersion versions below this are refused for decryption
 * @param deletionDueAt when a scheduled deletion of the whole ring will run, or null
 * @param deletedAt when the ring was deleted (all versions destroyed), or null
 * @param versions every version, ordered 1..latest
 * @param type what its versions are: AES-256-GCM data keys (the default, and the only type a policy
 *     key may name) or key pairs of an asymmetric type
 */
public record KeyRing(
        int id,
        String name,
        Instant createdAt,
        Duration rotationPeriod,
        int minDecryptionVersion,
        Instant deletionDueAt,
        Instant deletedAt,
        List<KeyVersion> versions,
        KeyType type) {

    public KeyRing {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(type, "type");
        versions = List.copyOf(versions);
    }

    /** An AES-256-GCM ring. */
    public KeyRing(int id, String name, Instant createdAt, Duration rotationPeriod, int minDecryptionVersion,
            Instant deletionDueAt, Instant deletedAt, List<KeyVersion> versions) {
        this(id, name, createdAt, rotationPeriod, minDecryptionVersion, deletionDueAt, deletedAt, versions,
                KeyType.AES_256_GCM);
    }

    /** The latest version number. */
    public int latestVersion() {
        return versions.size();
    }

    /** The version numbered {@code v}, if it exists. */
    public Optional<KeyVersion> version(int v) {
        return v >= 1 && v <= versions.size() ? Optional.of(versions.get(v - 1)) : Optional.empty();
    }

    /** The primary (the one ACTIVE) version; empty only for a deleted ring. */
    public Optional<KeyVersion> primary() {
        return versions.stream().filter(v -> v.state() == KeyState.ACTIVE).findFirst();
    }

    /** The primary version's number, or 0 for a deleted ring. */
    public int primaryVersion() {
        return primary().map(KeyVersion::version).orElse(0);
    }

    /**
     * Checks the ring's invariants: versions numbered 1..n, exactly one ACTIVE version unless
     * deleted, {@code 1 <= minDecryptionVersion <= latest}, the primary not below the minimum
     * decryption version, material present exactly when not destroyed.
     *
     * @throws KeyLifecycleException naming the ring and the broken rule
     */
    public KeyRing checkInvariants() {
        if (versions.isEmpty()) {
            throw broken("it has no versions");
        }
        for (int i = 0; i < versions.size(); i++) {
            KeyVersion v = versions.get(i);
            if (v.version() != i + 1) {
                throw broken("versions are not numbered 1.." + versions.size());
            }
            if ((v.state() == KeyState.DESTROYED) != (v.wrapped() == null)) {
                throw broken("version " + v.version() + " is " + v.state().displayName()
                        + (v.wrapped() == null ? " without material" : " but still has material"));
            }
            if ((v.publicKey() != null) != type.asymmetric()) {
                throw broken("version " + v.version() + (type.asymmetric() ? " has no public key" : " has a public key")
                        + " but the ring is " + type.displayName());
            }
        }
        long active = versions.stream().filter(v -> v.state() == KeyState.ACTIVE).count();
        if (deletedAt != null) {
            if (active != 0 || versions.stream().anyMatch(v -> v.state() != KeyState.DESTROYED)) {
                throw broken("it is deleted but has versions that are not destroyed");
            }
        } else if (active != 1) {
            throw broken("it must have exactly one active (primary) version, not " + active);
        }
        if (minDecryptionVersion < 1 || minDecryptionVersion > latestVersion()) {
            throw broken("min decryption version " + minDecryptionVersion + " is not in 1.." + latestVersion());
        }
        if (deletedAt == null && primaryVersion() < minDecryptionVersion) {
            throw broken("the primary version " + primaryVersion() + " is below the min decryption version "
                    + minDecryptionVersion);
        }
        return this;
    }

    private KeyLifecycleException broken(String rule) {
        return new KeyLifecycleException("key ring " + name + ": " + rule);
    }

    /** A version that must exist. */
    KeyVersion require(int v) {
        return version(v).orElseThrow(() -> new KeyLifecycleException(
                "key ring " + name + " has no version " + v + " (latest is " + latestVersion() + ")"));
    }

    KeyRing withVersion(KeyVersion v) {
        List<KeyVersion> list = new ArrayList<>(versions);
        if (v.version() == list.size() + 1) {
            list.add(v);
        } else {
            list.set(v.version() - 1, v);
        }
        return new KeyRing(id, name, createdAt, rotationPeriod, minDecryptionVersion, deletionDueAt, deletedAt, list,
                type);
    }

    /**
     * Moves a version to {@code target}, refusing transitions the state table forbids and those
     * that would leave the ring without a primary. Activating a version makes it primary and
     * deactivates the previous primary.
     */
    KeyRing transition(int v, KeyState target, Instant now) {
        KeyVersion current = require(v);
        if (!current.state().canMoveTo(target)) {
            throw new KeyLifecycleException("key ring " + name + " version " + v + ": cannot go from "
                    + current.state().displayName() + " to " + target.displayName() + " (allowed: "
                    + (current.state().successors().isEmpty() ? "none"
                        : current.state().successors().stream().map(KeyState::displayName).toList()) + ")");
        }
        if (current.state() == KeyState.ACTIVE) {
            throw new KeyLifecycleException("key ring " + name + " version " + v + " is the primary version: rotate "
                    + "the ring first, then " + (target == KeyState.COMPROMISED ? "mark it compromised" : "deactivate it"));
        }
        KeyRing next = this;
        if (target == KeyState.ACTIVE) {
            KeyVersion old = primary().orElseThrow(() -> new KeyLifecycleException("key ring " + name + " is deleted"));
            next = next.withVersion(old.movedTo(KeyState.DEACTIVATED, now));
        }
        return next.withVersion(current.movedTo(target, now));
    }

    KeyRing withMinDecryptionVersion(int min) {
        return new KeyRing(id, name, createdAt, rotationPeriod, min, deletionDueAt, deletedAt, versions, type);
    }

    KeyRing withDeletionDueAt(Instant due) {
        return new KeyRing(id, name, createdAt, rotationPeriod, minDecryptionVersion, due, deletedAt, versions, type);
    }

    /** Every version destroyed and the ring marked deleted. */
    KeyRing deleted(Instant now) {
        List<KeyVersion> list = new ArrayList<>();
        for (KeyVersion v : versions) {
            list.add(v.state() == KeyState.DESTROYED ? v : v.movedTo(KeyState.DESTROYED, now));
        }
        return new KeyRing(id, name, createdAt, rotationPeriod, minDecryptionVersion, null, now, list, type);
    }
}
