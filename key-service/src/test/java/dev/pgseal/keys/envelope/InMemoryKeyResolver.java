package dev.pgseal.keys.envelope;

import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.SecretBytes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Fixed random keys in memory: ring name → versions; the highest version is the primary. */
final class InMemoryKeyResolver implements KeyResolver {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Integer> ringIds = new LinkedHashMap<>();
    private final Map<Long, DataKey> keys = new LinkedHashMap<>();
    final AtomicInteger decryptionLookups = new AtomicInteger();
    /** Encryptions reported per "ring/version". */
    final Map<String, Long> encryptions = new java.util.concurrent.ConcurrentHashMap<>();

    InMemoryKeyResolver ring(String name, int ringId, int... versions) {
        ringIds.put(name, ringId);
        for (int v : versions) {
            keys.put(id(ringId, v), new DataKey(ringId, v, SecretBytes.random(32, RANDOM)));
        }
        return this;
    }

    /** Replaces a version's material object (as a cache reload would), same bytes or not. */
    void replace(int ringId, int version, SecretBytes material) {
        keys.put(id(ringId, version), new DataKey(ringId, version, material));
    }

    DataKey key(int ringId, int version) {
        return keys.get(id(ringId, version));
    }

    @Override
    public DataKey encryptionKey(String ringName) {
        return liveKeys(ringName).get(0);
    }

    @Override
    public DataKey decryptionKey(int ringId, int version) {
        decryptionLookups.incrementAndGet();
        DataKey k = keys.get(id(ringId, version));
        if (k == null) {
            throw new KeyUnavailableException("key ring " + ringId + " has no version " + version);
        }
        return k;
    }

    @Override
    public List<DataKey> liveKeys(String ringName) {
        Integer ringId = ringIds.get(ringName);
        if (ringId == null) {
            throw new KeyUnavailableException("unknown key ring " + ringName);
        }
        List<DataKey> live = new ArrayList<>();
        for (DataKey k : keys.values()) {
            if (k.ringId() == ringId) {
                live.add(0, k); // later versions first: the last added is the primary
            }
        }
        live.sort((a, b) -> Integer.compare(b.version(), a.version()));
        return live;
    }

    @Override
    public int ringId(String ringName) {
        Integer id = ringIds.get(ringName);
        if (id == null) {
            throw new KeyUnavailableException("unknown key ring " + ringName);
        }
        return id;
    }

    @Override
    public void recordEncryption(DataKey key) {
        encryptions.merge(key.ringId() + "/" + key.version(), 1L, Long::sum);
    }

    private static long id(int ringId, int version) {
        return ((long) ringId << 32) | version;
    }
}
