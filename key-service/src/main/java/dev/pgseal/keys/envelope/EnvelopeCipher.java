package dev.pgseal.keys.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.MalformedEnvelopeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@link ColumnCipher} over a {@link KeyResolver}: writes and reads the envelope of
 * {@link EnvelopeHeader}. Primitives are cached per (ring id, version) for as long as the resolver
 * hands out the same live key material; the JDK's key objects inside them cannot be zeroed, so the
 * cache is bounded and entries are rebuilt 10 minutes after they were made (the old ones become
 * garbage at once).
 */
public final class EnvelopeCipher implements ColumnCipher {

    private final KeyResolver keys;
    /** Slots of {@link #hot}: a power of two, far above the key versions one policy keeps live. */
    private static final int HOT_SLOTS = 64;

    /**
     * A direct-mapped table in front of {@link #primitives}, read on every value without touching
     * the cache's bookkeeping (which cost more than the AES itself on short values). A slot is
     * cleared when the cache drops its entry, so the slots never keep primitives the cache has let
     * go: an entry expires 10 minutes after it was built, however often the slot served it, and
     * the next use builds it again (one HKDF).
     */
    private final AtomicReferenceArray<KeyPrimitives> hot = new AtomicReferenceArray<>(HOT_SLOTS);
    private final Cache<Long, KeyPrimitives> primitives = Caffeine.newBuilder()
            .maximumSize(4096)
            .expireAfterWrite(Duration.ofMinutes(10))
            .removalListener((Long id, KeyPrimitives p, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                if (id != null) {
                    hot.compareAndSet(slot(id), p, null);
                }
            })
            .executor(Runnable::run)
            .build();

    public EnvelopeCipher(KeyResolver keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public byte[] encrypt(ColumnIdentity column, EncryptionMode mode, String ringName, byte[] canonicalPlaintext) {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(canonicalPlaintext, "canonicalPlaintext");
        return encryptUnder(keys.encryptionKey(ringName), column, mode, canonicalPlaintext);
    }

    @Override
    public List<byte[]> encryptForEachVersion(ColumnIdentity column, String ringName, byte[] canonicalPlaintext) {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(canonicalPlaintext, "canonicalPlaintext");
        List<DataKey> live = keys.liveKeys(ringName);
        List<byte[]> envelopes = new ArrayList<>(live.size());
        for (DataKey key : live) {
            envelopes.add(encryptUnder(key, column, EncryptionMode.DETERMINISTIC, canonicalPlaintext));
        }
        return envelopes;
    }

    @Override
    public byte[] decrypt(ColumnIdentity column, String ringName, byte[] envelope) {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(ringName, "ringName");
        EnvelopeHeader header = EnvelopeLayout.parseHeader(envelope);
        int columnRing = keys.ringId(ringName);
        if (header.ringId() != columnRing) {
            // Public header facts only, before any key is touched: no oracle.
            throw new MalformedEnvelopeException("envelope belongs to key ring id " + header.ringId()
                    + ", not to the column's key ring " + ringName + " (id " + columnRing + ")");
        }
        return decryptChecked(column, header, envelope);
    }

    private byte[] decryptChecked(ColumnIdentity column, EnvelopeHeader header, byte[] envelope) {
        // Header first: structure, then the key version's availability; no crypto until both pass.
        DataKey key = keys.decryptionKey(header.ringId(), header.keyVersion());
        if (key.ringId() != header.ringId() || key.version() != header.keyVersion()) {
            throw new IllegalStateException("key resolver returned ring " + key.ringId() + " version " + key.version()
                    + " for ring " + header.ringId() + " version " + header.keyVersion());
        }
        KeyPrimitives p = primitivesFor(key);
        byte[] ad = EnvelopeLayout.associatedData(envelope, column);
        byte[] body = new byte[envelope.length - EnvelopeLayout.HEADER_SIZE];
        System.arraycopy(envelope, EnvelopeLayout.HEADER_SIZE, body, 0, body.length);
        try {
            return header.mode() == EncryptionMode.RANDOMIZED
                    ? p.randomized().decrypt(body, ad)
                    : p.deterministic().decryptDeterministically(body, ad);
        } catch (DecryptionException e) {
            throw e;
        } catch (RuntimeException e) {
            // Never let a provider-specific message become an oracle.
            throw new DecryptionException();
        }
    }

    private byte[] encryptUnder(DataKey key, ColumnIdentity column, EncryptionMode mode, byte[] plaintext) {
        KeyPrimitives p = primitivesFor(key);
        byte[] header = new byte[EnvelopeLayout.HEADER_SIZE];
        EnvelopeLayout.writeHeader(header, mode, key.ringId(), key.version());
        byte[] ad = EnvelopeLayout.associatedData(header, column);
        byte[] body = mode == EncryptionMode.RANDOMIZED
                ? p.randomized().encrypt(plaintext, ad)
                : p.deterministic().encryptDeterministically(plaintext, ad);
        byte[] envelope = new byte[EnvelopeLayout.HEADER_SIZE + body.length];
        System.arraycopy(header, 0, envelope, 0, EnvelopeLayout.HEADER_SIZE);
        System.arraycopy(body, 0, envelope, EnvelopeLayout.HEADER_SIZE, body.length);
        keys.recordEncryption(key);
        return envelope;
    }

    private KeyPrimitives primitivesFor(DataKey key) {
        long id = ((long) key.ringId() << 32) | (key.version() & 0xffffffffL);
        int slot = slot(id);
        KeyPrimitives p = hot.get(slot);
        if (p != null && p.servesMaterialOf(key)) {
            return p;
        }
        p = primitives.getIfPresent(id);
        if (p == null || !p.servesMaterialOf(key)) {
            p = KeyPrimitives.of(key);
            primitives.put(id, p);
        }
        hot.set(slot, p);
        return p;
    }

    private static int slot(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 58) & (HOT_SLOTS - 1);
    }
}
