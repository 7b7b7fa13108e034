package dev.pgseal.keys;

import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.kms.GeneratedKey;
import dev.pgseal.keys.kms.KeyType;
import dev.pgseal.keys.store.KeyRingRepository;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lifecycle job of the key service: key rings and their versions in the store and in memory.
 * Every change reads the ring under a row lock, computes the new immutable {@link KeyRing}, checks
 * its invariants, writes it and its audit event in one transaction, and only after the commit
 * publishes it in memory (invalidating cached keys a change made unusable). Changes, reloads and
 * publication are serialised on this object, so memory follows commit order. The public API and
 * its documentation are {@link KeyService}'s.
 */
final class RingLifecycle {

    private final MasterKeyStore masterKeys;
    private final MasterKeyRotation masterKeyRotation;
    private final KeyStoreDatabase db;
    private final Clock clock;
    private final KeyRingRepository repository;
    private final KeyAudit audit;
    private final DataKeyCache cache;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, KeyRing> ringsByName = new ConcurrentHashMap<>();
    private final Map<Integer, KeyRing> ringsById = new ConcurrentHashMap<>();

    RingLifecycle(MasterKeyStore masterKeys, MasterKeyRotation masterKeyRotation, KeyStoreDatabase db, Clock clock,
            KeyRingRepository repository, KeyAudit audit, DataKeyCache cache) {
        this.masterKeys = masterKeys;
        this.masterKeyRotation = masterKeyRotation;
        this.db = db;
        this.clock = clock;
        this.repository = repository;
        this.audit = audit;
        this.cache = cache;
    }

    List<KeyRing> ensureRings(Collection<String> policyKeyNames, String actor) {
        List<KeyRing> created = new ArrayList<>();
        for (String name : policyKeyNames) {
            KeyRing existing = byName(name) != null ? byName(name) : reloadByName(name);
            if (existing != null) {
                requireColumnRing(existing);
                continue;
            }
            try {
                created.add(createRing(name, null, actor));
            } catch (RuntimeException e) {
                if (reloadByName(name) == null) {
                    throw e;
                }
                // another instance created it first
            }
        }
        return created;
    }

    /** Refuses a ring that is not AES-256-GCM as a policy key (column encryption). */
    static void requireColumnRing(KeyRing ring) {
        if (!ring.type().servesColumns()) {
            throw new KeyLifecycleException("the policy key " + ring.name() + " names a key ring of type "
                    + ring.type().displayName() + ": column encryption needs an " + KeyType.AES_256_GCM.displayName()
                    + " ring; give the policy key another name");
        }
    }

    synchronized KeyRing createRing(String name, Duration rotationPeriod, String actor) {
        return createRing(name, rotationPeriod, KeyType.AES_256_GCM, actor);
    }

    synchronized KeyRing createRing(String name, Duration rotationPeriod, KeyType type, String actor) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new KeyLifecycleException("a key ring needs a name");
        }
        Instant now = clock.instant();
        try {
            KeyRing ring = db.inTransaction(c -> {
                if (repository.findByName(c, name, false).isPresent()) {
                    throw new KeyLifecycleException("key ring " + name + " already exists");
                }
                masterKeyRotation.syncWithStore(c);
                int id = repository.insertRing(c, name, now, rotationPeriod, type);
                KeyVersion first = newVersion(id, 1, KeyState.ACTIVE, now, type);
                KeyRing r = new KeyRing(id, name, now, rotationPeriod, 1, null, null, List.of(first), type);
                repository.save(c, r);
                audit.append(c, AuditEvent.success(actor, "ring.create", KeyAudit.object(r, 1), KeyAudit.details(
                        "ring_id", id, "version", 1, "master_key", first.masterKeyLabel(), "type", type.displayName())));
                return r;
            });
            publish(ring);
            return ring;
        } catch (KeyLifecycleException e) {
            audit.denied(actor, "ring.create", "ring:" + name, e);
            throw e;
        }
    }

    KeyRing rotate(String ringName, String actor) {
        return change(ringName, actor, "ring.rotate", (ring, c, now) -> {
            int v = ring.latestVersion() + 1;
            KeyRing next = ring.withVersion(newVersion(ring.id(), v, KeyState.PRE_ACTIVE, now, ring.type()))
                    .transition(v, KeyState.ACTIVE, now);
            return new Change(next, KeyAudit.object(next, v), KeyAudit.details("from_version", ring.primaryVersion(), "to_version", v,
                    "master_key", next.require(v).masterKeyLabel()));
        });
    }

    KeyRing addVersion(String ringName, String actor) {
        return change(ringName, actor, "version.create", (ring, c, now) -> {
            int v = ring.latestVersion() + 1;
            KeyRing next = ring.withVersion(newVersion(ring.id(), v, KeyState.PRE_ACTIVE, now, ring.type()));
            return new Change(next, KeyAudit.object(next, v), KeyAudit.details("state", KeyState.PRE_ACTIVE.displayName(),
                    "master_key", next.require(v).masterKeyLabel()));
        });
    }

    KeyRing setState(String ringName, int version, KeyState target, String actor) {
        String action = target == KeyState.ACTIVE ? "version.activate" : "version.state";
        return change(ringName, actor, action, (ring, c, now) -> {
            KeyState from = ring.require(version).state();
            KeyRing next = ring.transition(version, target, now);
            return new Change(next, KeyAudit.object(next, version), KeyAudit.details("from", from.displayName(),
                    "to", target.displayName()));
        });
    }

    KeyRing setMinDecryptionVersion(String ringName, int min, String actor) {
        return change(ringName, actor, "ring.min_decryption_version", (ring, c, now) -> new Change(
                ring.withMinDecryptionVersion(min), "ring:" + ring.name(),
                KeyAudit.details("from", ring.minDecryptionVersion(), "to", min)));
    }

    Instant scheduleDeletion(String ringName, OptionalInt version, Duration waitingPeriod, String actor) {
        Duration wait = waitingPeriod == null ? KeyService.DEFAULT_DELETION_WAIT : waitingPeriod;
        if (wait.compareTo(KeyService.MIN_DELETION_WAIT) < 0 || wait.compareTo(KeyService.MAX_DELETION_WAIT) > 0) {
            KeyLifecycleException e = new KeyLifecycleException("key ring " + ringName + ": the deletion waiting period "
                    + "must be between 7 and 30 days, not " + wait.toDays() + " days");
            audit.denied(actor, "deletion.schedule", "ring:" + ringName, e);
            throw e;
        }
        KeyRing saved = change(ringName, actor, "deletion.schedule", (ring, c, now) -> {
            Instant due = now.plus(wait);
            if (ring.deletedAt() != null) {
                throw new KeyLifecycleException("key ring " + ring.name() + " is already deleted");
            }
            if (version.isEmpty()) {
                return new Change(ring.withDeletionDueAt(due), "ring:" + ring.name(),
                        KeyAudit.details("due_at", due.toString(), "waiting_days", wait.toDays()));
            }
            KeyVersion v = ring.require(version.getAsInt());
            if (v.state() == KeyState.ACTIVE) {
                throw new KeyLifecycleException("key ring " + ring.name() + " version " + v.version()
                        + " is the primary version: rotate the ring before scheduling its deletion");
            }
            if (v.state() == KeyState.DESTROYED) {
                throw new KeyLifecycleException("key ring " + ring.name() + " version " + v.version()
                        + " is already destroyed");
            }
            return new Change(ring.withVersion(v.withDeletionDueAt(due)), KeyAudit.object(ring, v.version()),
                    KeyAudit.details("due_at", due.toString(), "waiting_days", wait.toDays()));
        });
        return version.isEmpty() ? saved.deletionDueAt() : saved.require(version.getAsInt()).deletionDueAt();
    }

    KeyRing cancelDeletion(String ringName, OptionalInt version, String actor) {
        return change(ringName, actor, "deletion.cancel", (ring, c, now) -> {
            if (version.isEmpty()) {
                if (ring.deletionDueAt() == null) {
                    throw new KeyLifecycleException("key ring " + ring.name() + " has no scheduled deletion");
                }
                return new Change(ring.withDeletionDueAt(null), "ring:" + ring.name(), Map.of());
            }
            KeyVersion v = ring.require(version.getAsInt());
            if (v.deletionDueAt() == null) {
                throw new KeyLifecycleException("key ring " + ring.name() + " version " + v.version()
                        + " has no scheduled deletion");
            }
            return new Change(ring.withVersion(v.withDeletionDueAt(null)), KeyAudit.object(ring, v.version()), Map.of());
        });
    }

    List<String> runDueDeletions(Instant now) {
        List<String> done = new ArrayList<>();
        for (KeyRing ring : listRings()) {
            if (!deletionDue(ring, now)) {
                continue;
            }
            change(ring.name(), KeyService.SYSTEM_ACTOR, "deletion.execute", executeDueDeletions(now, done));
        }
        return done;
    }

    /** The due deletions of one ring, at the caller's request; refused when none is due. */
    List<String> runDueDeletions(String ringName, String actor) {
        Instant now = clock.instant();
        List<String> done = new ArrayList<>();
        RingChange execute = executeDueDeletions(now, done);
        change(ringName, actor, "deletion.execute", (current, c, at) -> {
            if (!deletionDue(current, now)) {
                Optional<Instant> next = current.versions().stream().filter(v -> v.state() != KeyState.DESTROYED)
                        .map(KeyVersion::deletionDueAt).filter(Objects::nonNull).min(Instant::compareTo);
                if (current.deletedAt() == null && current.deletionDueAt() != null) {
                    next = Optional.of(current.deletionDueAt());
                }
                throw new KeyLifecycleException("key ring " + current.name() + " has no deletion due" + next.map(t ->
                        " (the next one is due at " + t + ")").orElse(" (none is scheduled)"));
            }
            return execute.apply(current, c, at);
        });
        return done;
    }

    private static boolean deletionDue(KeyRing ring, Instant now) {
        boolean ringDue = ring.deletedAt() == null && ring.deletionDueAt() != null && !ring.deletionDueAt().isAfter(now);
        boolean versionDue = ring.versions().stream().anyMatch(v -> v.deletionDueAt() != null
                && v.state() != KeyState.DESTROYED && !v.deletionDueAt().isAfter(now));
        return ringDue || versionDue;
    }

    /** Deletes the ring when its deletion is due at {@code now}, else destroys its due versions. */
    private static RingChange executeDueDeletions(Instant now, List<String> done) {
        return (current, c, at) -> {
            if (current.deletedAt() == null && current.deletionDueAt() != null && !current.deletionDueAt().isAfter(now)) {
                KeyRing next = current.deleted(at);
                done.add("ring:" + current.name());
                return new Change(next, "ring:" + current.name(), KeyAudit.details("versions", current.latestVersion()));
            }
            KeyRing next = current;
            List<Object> versions = new ArrayList<>();
            for (KeyVersion v : current.versions()) {
                if (v.deletionDueAt() != null && v.state() != KeyState.DESTROYED && !v.deletionDueAt().isAfter(now)) {
                    next = next.transition(v.version(), KeyState.DESTROYED, at);
                    versions.add(v.version());
                    done.add(KeyAudit.object(current, v.version()));
                }
            }
            return new Change(next, "ring:" + current.name(), KeyAudit.details("destroyed_versions", versions.toString()));
        };
    }

    List<KeyRing> listRings() {
        return db.inTransaction(repository::findAll);
    }

    KeyRing byName(String name) {
        return ringsByName.get(name);
    }

    KeyRing byId(int id) {
        return ringsById.get(id);
    }

    synchronized void refresh() {
        for (KeyRing r : listRings()) {
            publish(r);
        }
    }

    /** Why the ring may not be used at all, or null. */
    static String ringRefusal(KeyRing ring) {
        if (ring.deletedAt() != null) {
            return "key ring " + ring.name() + " was deleted at " + ring.deletedAt();
        }
        if (ring.deletionDueAt() != null) {
            return "key ring " + ring.name() + " is scheduled for deletion at " + ring.deletionDueAt()
                    + "; cancel the deletion to use it";
        }
        return null;
    }

    /** Why {@code version} may not decrypt, or null when it may: checked before any crypto. */
    static String decryptionRefusal(KeyRing ring, int version) {
        String r = ringRefusal(ring);
        if (r != null) {
            return r;
        }
        if (version < 1 || version > ring.latestVersion()) {
            return "key ring " + ring.name() + " has no version " + version + " (latest is " + ring.latestVersion() + ")";
        }
        if (version < ring.minDecryptionVersion()) {
            return "key ring " + ring.name() + " version " + version + " is below the minimum decryption version "
                    + ring.minDecryptionVersion();
        }
        KeyVersion v = ring.require(version);
        if (v.state() == KeyState.DESTROYED) {
            return "key ring " + ring.name() + " version " + version + " was destroyed at " + v.destroyedAt();
        }
        if (v.state() == KeyState.PRE_ACTIVE) {
            return "key ring " + ring.name() + " version " + version + " is pre-active (not yet in use)";
        }
        if (v.deletionDueAt() != null) {
            return "key ring " + ring.name() + " version " + version + " is scheduled for deletion at "
                    + v.deletionDueAt() + "; cancel the deletion to use it";
        }
        return null;
    }

    /** A new version: a data key, or a key pair whose private key is wrapped like a data key. */
    private KeyVersion newVersion(int ringId, int version, KeyState state, Instant now, KeyType type) {
        GeneratedKey fresh = type.generate(random);
        try (SecretBytes material = fresh.material()) {
            WrappedKey wrapped = masterKeys.wrap(material, DataKeyCache.dataKeyAssociatedData(ringId, version));
            return new KeyVersion(version, state, wrapped, now, state == KeyState.ACTIVE ? now : null,
                    null, null, null, null, 0, fresh.publicKey());
        }
    }

    private record Change(KeyRing ring, String object, Map<String, Object> details) {
    }

    @FunctionalInterface
    private interface RingChange {
        Change apply(KeyRing current, Connection c, Instant now) throws SQLException;
    }

    // Synchronized (with reloads and createRing) so memory is published in commit order.
    private synchronized KeyRing change(String ringName, String actor, String action, RingChange work) {
        Instant now = clock.instant();
        try {
            KeyRing saved = db.inTransaction(c -> {
                KeyRing current = repository.findByName(c, ringName, true).orElseThrow(() ->
                        new KeyLifecycleException("no key ring named " + ringName));
                masterKeyRotation.syncWithStore(c);
                Change change = work.apply(current, c, now);
                repository.save(c, change.ring());
                audit.append(c, AuditEvent.success(actor, action, change.object(), change.details()));
                return change.ring();
            });
            publish(saved);
            return saved;
        } catch (KeyLifecycleException e) {
            audit.denied(actor, action, "ring:" + ringName, e);
            throw e;
        }
    }

    private void publish(KeyRing ring) {
        KeyRing old = ringsById.put(ring.id(), ring);
        ringsByName.put(ring.name(), ring);
        if (old == null) {
            return;
        }
        for (KeyVersion v : ring.versions()) {
            Optional<KeyVersion> before = old.version(v.version());
            boolean materialChanged = before.isPresent() && !Objects.equals(before.get().wrapped(), v.wrapped());
            if (materialChanged || decryptionRefusal(ring, v.version()) != null) {
                cache.invalidate(ring.id(), v.version());
            }
        }
    }

    synchronized KeyRing reloadByName(String name) {
        Optional<KeyRing> r = db.inTransaction(c -> repository.findByName(c, name, false));
        r.ifPresent(this::publish);
        return r.orElse(null);
    }

    synchronized KeyRing reloadById(int id) {
        Optional<KeyRing> r = db.inTransaction(c -> repository.findById(c, id, false));
        r.ifPresent(this::publish);
        return r.orElse(null);
    }
}
