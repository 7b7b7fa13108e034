package dev.pgseal.wire.crypto;

/**
 * A value needs a key that is not in memory: loading it would block (HSM, key store), so the
 * caller must load it off the event loop ({@code KeyService.loadForDecryptionAsync} or
 * {@code warmAsync}) and try the same message again. Nothing was consumed or released. Carries no
 * stack trace: it is control flow, not a failure.
 */
public final class KeyNotReadyException extends RuntimeException {

    private final String ring;
    private final int ringId;
    private final int version;

    private KeyNotReadyException(String ring, int ringId, int version, String message) {
        super(message, null, false, false);
        this.ring = ring;
        this.ringId = ringId;
        this.version = version;
    }

    /** Decrypting needs {@code (ringId, version)}. */
    public static KeyNotReadyException forDecryption(int ringId, int version) {
        return new KeyNotReadyException(null, ringId, version, "key ring id " + ringId + " version " + version
                + " is not in memory");
    }

    /** Encrypting (or matching) needs ring {@code ring}'s keys. */
    public static KeyNotReadyException forEncryption(String ring) {
        return new KeyNotReadyException(ring, 0, 0, "the keys of key ring " + ring + " are not in memory");
    }

    /** The ring to warm, for an encryption; null for a decryption. */
    public String ring() {
        return ring;
    }

    /** For a decryption: the ring id to load. */
    public int ringId() {
        return ringId;
    }

    /** For a decryption: the key version to load. */
    public int version() {
        return version;
    }
}
