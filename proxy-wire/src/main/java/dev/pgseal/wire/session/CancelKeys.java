package dev.pgseal.wire.session;

import dev.pgseal.wire.protocol.backend.BackendKeyData;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-wide map from the cancel keys pgseal hands to clients to the real keys of the PostgreSQL
 * backends. A client sees the backend's real process id (so {@code getBackendPID()},
 * {@code pg_backend_pid()}, {@code pg_stat_activity} and NotificationResponse all agree, as they do
 * direct) but never the real secret: pgseal issues a random secret of the same length, and a
 * CancelRequest must carry it (compared in constant time) to be forwarded with the real one.
 * Process ids are unique among the live backends of the one upstream server. Thread-safe.
 */
public final class CancelKeys {
    private record Issued(byte[] secret, BackendKeyData real) {
    }

    private final ConcurrentHashMap<Integer, Issued> issued = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Issues the key a client sees for {@code real}: the same process id, a fresh random secret. */
    public BackendKeyData issue(BackendKeyData real) {
        byte[] secret = new byte[real.secretLength()];
        random.nextBytes(secret);
        issued.put(real.processId(), new Issued(secret.clone(), real));
        return new BackendKeyData(real.processId(), secret);
    }

    /** The real key behind an issued one, if the process id is known and the secret matches. */
    public Optional<BackendKeyData> resolve(int processId, byte[] secret) {
        Issued i = issued.get(processId);
        if (i == null || !MessageDigest.isEqual(i.secret(), secret)) {
            return Optional.empty();
        }
        return Optional.of(i.real());
    }

    /**
     * Forgets an issued key (its session ended). A later session of a backend that reused the
     * process id keeps its own key.
     */
    public void revoke(BackendKeyData issuedKey) {
        issued.computeIfPresent(issuedKey.processId(),
                (pid, i) -> MessageDigest.isEqual(i.secret(), issuedKey.secret()) ? null : i);
    }

    /** How many keys are issued (one per live session). */
    public int size() {
        return issued.size();
    }
}
