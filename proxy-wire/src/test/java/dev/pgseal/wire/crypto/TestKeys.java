package dev.pgseal.wire.crypto;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.MaskPattern;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.RoleSet;
import dev.pgseal.sql.ColumnRef;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Fixed in-memory keys and column references for the crypto tests. */
final class TestKeys implements KeyResolver {

    static final QualifiedName TABLE = new QualifiedName("public", "people");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** ring name → (version → key); the highest version is the primary. */
    private final Map<String, TreeMap<Integer, DataKey>> rings = new java.util.HashMap<>();
    private final Map<String, Integer> ids = new java.util.HashMap<>();

    TestKeys ring(String name, int id, int versions) {
        ids.put(name, id);
        TreeMap<Integer, DataKey> v = new TreeMap<>();
        for (int i = 1; i <= versions; i++) {
            v.put(i, new DataKey(id, i, SecretBytes.random(32, RANDOM)));
        }
        rings.put(name, v);
        return this;
    }

    static TestKeys standard() {
        return new TestKeys().ring("k", 7, 2).ring("other", 8, 1);
    }

    ColumnCipher cipher() {
        return ColumnCipher.create(this);
    }

    @Override
    public DataKey encryptionKey(String ringName) {
        return ring(ringName).lastEntry().getValue();
    }

    @Override
    public DataKey decryptionKey(int ringId, int version) {
        for (TreeMap<Integer, DataKey> r : rings.values()) {
            DataKey k = r.get(version);
            if (k != null && k.ringId() == ringId) {
                return k;
            }
        }
        throw new KeyUnavailableException("no key " + ringId + "/" + version);
    }

    @Override
    public List<DataKey> liveKeys(String ringName) {
        List<DataKey> keys = new ArrayList<>(ring(ringName).descendingMap().values());
        return keys;
    }

    @Override
    public int ringId(String ringName) {
        Integer id = ids.get(ringName);
        if (id == null) {
            throw new KeyUnavailableException("no ring " + ringName);
        }
        return id;
    }

    private TreeMap<Integer, DataKey> ring(String name) {
        TreeMap<Integer, DataKey> r = rings.get(name);
        if (r == null) {
            throw new KeyUnavailableException("no ring " + name);
        }
        return r;
    }

    static ColumnRef column(String name, String type) {
        return column(name, type, Encryption.DETERMINISTIC, OnUnauthorized.NULLIFY, null);
    }

    static ColumnRef column(String name, String type, Encryption encryption, OnUnauthorized onUnauthorized,
            String mask) {
        LogicalType t = LogicalType.parse(type).orElseThrow(() -> new IllegalArgumentException(type));
        return new ColumnRef(TABLE, new ColumnPolicy(name, t, encryption, "k", RoleSet.of(Set.of("reader")),
                RoleSet.of(Set.of("reader")), onUnauthorized, Optional.ofNullable(mask).map(MaskPattern::parse)));
    }
}
