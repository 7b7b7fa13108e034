package dev.pgseal.wire.session;

import dev.pgseal.wire.protocol.backend.BackendKeyData;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-wide map from the cancel keys pgseal hands to clients to the real keys of the PostgreSQL
 * backends. Clients never see a real key: a CancelRequest must name a key pgseal issued, with its
 * secret (compared in constant time), to be forwarded. Thread-safe.
 */
public final class CancelKeys {
    private record Issued(byte[] secret, BackendKeyData real) {
    }

    private final ConcurrentHashMap<Integer, Issued> issued = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Integer> issuedByRealPid = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Issues a fresh key (random process id and a random secret as long as the real one) for {@code real}. */
    public BackendKeyData issue(BackendKeyData real) {
        byte[] secret = new byte[real.secretLength()];
        while (true) {
            int pid = random.nextInt(Integer.MAX_VALUE - 1) + 1;
            random.nextBytes(secret);
            if (issued.putIfAbsent(pid, new Issued(secret.clone(), real)) == null) {
                issuedByRealPid.put(real.processId(), pid);
                return new BackendKeyData(pid, secret);
            }
        }
    }

    /** The real key behind an issued one, if the process id is known and the secret matches. */
    public Optional<BackendKeyData> resolve(int processId, byte[] secret) {
        Issued i = issued.get(processId);
        if (i == null || !MessageDigest.isEqual(i.secret(), secret)) {
            return Optional.empty();
        }
        return Optional.of(i.real());
    }

    /** Forgets an issued key (its session ended). */
    public void revoke(int processId) {
        Issued i = issued.remove(processId);
        if (i != null) {
            issuedByRealPid.remove(i.real().processId(), processId);
        }
    }

    /**
     * The process id a client of pgseal knows for a PostgreSQL backend process (the one issued to
     * that backend's session), or {@code realPid} itself when no session of this server owns it.
     * Used to rewrite NotificationResponse, so that a client recognises its own notifications.
     */
    public int clientVisiblePid(int realPid) {
        return issuedByRealPid.getOrDefault(realPid, realPid);
    }

    /** How many keys are issued (one per live session). */
    public int size() {
        return issued.size();
    }
}
