package dev.pgseal.keys.kms;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.KeyVersion;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * pgseal's KMS data plane, shaped like AWS KMS and Vault Transit: applications encrypt, decrypt,
 * sign, verify and encapsulate with key rings whose keys never leave pgseal unwrapped.
 *
 * <p>Security contract:
 * <ul>
 *   <li>Only a ring's primary version encrypts, signs and encapsulates; the version is in every
 *       output ({@link DataPlaneEnvelope}), and decrypt, verify and decapsulate use the version the
 *       input names, if the key state allows it: below {@code min_decryption_version}, pre-active,
 *       destroyed or scheduled for deletion are refused. Deactivated and compromised versions still
 *       decrypt (so data can be re-encrypted); a compromised version no longer verifies.</li>
 *   <li>AES-256-GCM with a fresh random 96-bit nonce per message from a {@link SecureRandom}, under a
 *       subkey that serves the data plane only; no caller chooses a nonce or an IV. RSA-OAEP-SHA256
 *       for RSA rings. The envelope header and the {@link EncryptionContext} are bound as associated
 *       data (the OAEP label for RSA): decryption with another context, ring or version fails.</li>
 *   <li>Every decryption failure — malformed input, another ring, a refused or unknown version,
 *       another context, a tampered byte — is one {@link DecryptionException} with one generic
 *       message; the precise reason goes to the audit log only.</li>
 *   <li>ML-KEM decapsulation follows FIPS 203's implicit rejection: a tampered encapsulation yields
 *       an unrelated secret, not an error.</li>
 * </ul>
 * Access control (grants) is the caller's: see {@link KeyGrants}. Thread-safe.
 */
public final class DataPlane {

    /** The largest plaintext or message accepted (bytes). */
    public static final int MAX_INPUT_BYTES = 32 * 1024;
    /** Data keys made by {@link #generateDataKey} are AES-256 keys. */
    public static final int DATA_KEY_BYTES = 32;

    private final KeyService keys;
    private final SecureRandom random;
    private final Cache<Long, VersionKey> prepared = Caffeine.newBuilder().maximumSize(1_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    /** The data plane over {@code keys}, with randomness from the platform's {@link SecureRandom}. */
    public DataPlane(KeyService keys) {
        this(keys, new SecureRandom());
    }

    DataPlane(KeyService keys, SecureRandom random) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A ciphertext and the key version that made it. */
    public record Ciphertext(byte[] ciphertext, int keyVersion) {
    }

    /** A plaintext and the key version that decrypted it (the caller owns and should erase the bytes). */
    public record Plaintext(byte[] plaintext, int keyVersion) {
        @Override
        public String toString() {
            return "Plaintext[" + plaintext.length + " bytes, redacted, v" + keyVersion + "]";
        }
    }

    /**
     * A fresh data key: its plaintext (null when not asked for) and its ciphertext under the ring.
     */
    public record GeneratedDataKey(byte[] plaintext, byte[] ciphertext, int keyVersion) {
        @Override
        public String toString() {
            return "GeneratedDataKey[" + (plaintext == null ? "wrapped only" : "redacted") + ", v" + keyVersion + "]";
        }
    }

    /** A ciphertext re-encrypted under the primary version, and the version it came from. */
    public record ReEncrypted(byte[] ciphertext, int keyVersion, int sourceKeyVersion) {
    }

    /** A signature envelope, the algorithm's own signature inside it, and the signing version. */
    public record Signature(byte[] signature, byte[] rawSignature, int keyVersion) {
    }

    /** Whether a signature is valid, and the version it names (0 when it names none). */
    public record Verification(boolean valid, int keyVersion) {
    }

    /** A shared secret, its encapsulation envelope, the ML-KEM ciphertext inside it, and the version. */
    public record Encapsulation(byte[] sharedSecret, byte[] encapsulation, byte[] rawEncapsulation, int keyVersion) {
        @Override
        public String toString() {
            return "Encapsulation[secret redacted, v" + keyVersion + "]";
        }
    }

    /** A version's public key (X.509 SubjectPublicKeyInfo, DER). */
    public record PublicKeyInfo(KeyType type, int keyVersion, byte[] subjectPublicKeyInfo) {
        /** The key as PEM. */
        public String pem() {
            return PublicKeys.pem(subjectPublicKeyInfo);
        }
    }

    // ---------------------------------------------------------------- encryption

    /**
     * Encrypts under the ring's primary version (AES-256-GCM or RSA-OAEP-SHA256), binding the
     * context.
     *
     * @throws DataPlaneException when the ring does not encrypt, may not be used now, or the
     *     plaintext is too long
     */
    public Ciphertext encrypt(String ring, byte[] plaintext, EncryptionContext context) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(context, "context");
        limit(plaintext, "plaintext");
        VersionKey key = primary(ring, KeyOperation.ENCRYPT);
        return new Ciphertext(seal(key, plaintext, context), key.version);
    }

    /**
     * Decrypts a ciphertext of {@link #encrypt} under the version it names.
     *
     * @throws DecryptionException (one generic message) for any ciphertext that does not decrypt
     * @throws DataPlaneException when the ring does not decrypt at all
     */
    public Plaintext decrypt(String ring, byte[] ciphertext, EncryptionContext context) {
        Objects.requireNonNull(context, "context");
        KeyRing r = ringOffering(ring, KeyOperation.DECRYPT);
        return open(r, ciphertext, context);
    }

    /**
     * A fresh AES-256 data key from the platform {@link SecureRandom}, encrypted under the ring's
     * primary version (envelope encryption: the caller encrypts its data locally with the plaintext
     * key, keeps only the ciphertext, and calls {@link #decrypt} to get the key back).
     *
     * @param includePlaintext false to return the encrypted key only (for a party that stores keys
     *     for others to use later)
     */
    public GeneratedDataKey generateDataKey(String ring, EncryptionContext context, boolean includePlaintext) {
        Objects.requireNonNull(context, "context");
        VersionKey key = primary(ring, KeyOperation.GENERATE_DATA_KEY);
        byte[] dataKey = new byte[DATA_KEY_BYTES];
        random.nextBytes(dataKey);
        byte[] sealed = seal(key, dataKey, context);
        if (!includePlaintext) {
            Arrays.fill(dataKey, (byte) 0);
            return new GeneratedDataKey(null, sealed, key.version);
        }
        return new GeneratedDataKey(dataKey, sealed, key.version);
    }

    /**
     * Decrypts inside pgseal and encrypts again under the ring's primary version; the plaintext never
     * leaves and is erased.
     *
     * @param from the context the ciphertext was made with
     * @param to the context to bind to the new ciphertext
     * @throws DecryptionException when the ciphertext does not decrypt
     */
    public ReEncrypted reEncrypt(String ring, byte[] ciphertext, EncryptionContext from, EncryptionContext to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        KeyRing r = ringOffering(ring, KeyOperation.RE_ENCRYPT);
        Plaintext p = open(r, ciphertext, from); // first: every bad ciphertext gets the one generic error
        try {
            VersionKey target = primary(ring, KeyOperation.RE_ENCRYPT);
            return new ReEncrypted(seal(target, p.plaintext(), to), target.version, p.keyVersion());
        } finally {
            Arrays.fill(p.plaintext(), (byte) 0);
        }
    }

    private byte[] seal(VersionKey key, byte[] plaintext, EncryptionContext context) {
        DataPlaneEnvelope header = new DataPlaneEnvelope(DataPlaneEnvelope.CIPHERTEXT, key.type.code(), key.ringId,
                key.version, new byte[0]);
        byte[] aad = header.associatedData(context);
        byte[] body;
        if (key.type == KeyType.AES_256_GCM) {
            body = key.aead.encrypt(plaintext, aad);
        } else {
            if (plaintext.length > ClassicalKeys.OAEP_MAX_PLAINTEXT) {
                throw new DataPlaneException(DataPlaneException.Reason.INVALID_INPUT, "key ring "
                        + key.ringName + " is " + key.type + ": it encrypts at most "
                        + ClassicalKeys.OAEP_MAX_PLAINTEXT + " bytes (" + plaintext.length
                        + " given); encrypt a data key instead (generate-data-key)");
            }
            body = ClassicalKeys.oaepEncrypt(key.publicKey, plaintext, aad, random);
        }
        keys.recordEncryption(key.dataKey);
        return new DataPlaneEnvelope(DataPlaneEnvelope.CIPHERTEXT, key.type.code(), key.ringId, key.version, body)
                .encode();
    }

    private Plaintext open(KeyRing ring, byte[] ciphertext, EncryptionContext context) {
        DataPlaneEnvelope e = DataPlaneEnvelope.decode(ciphertext, DataPlaneEnvelope.CIPHERTEXT);
        // Header checks before any crypto; every failure is the same exception.
        if (e == null || e.ringId() != ring.id() || e.typeCode() != ring.type().code()) {
            throw new DecryptionException();
        }
        VersionKey key;
        try {
            key = version(ring, e.version());
        } catch (KeyUnavailableException refused) {
            throw new DecryptionException(); // the reason is in the audit log (KeyService.deny)
        }
        byte[] aad = e.associatedData(context);
        byte[] plaintext = key.type == KeyType.AES_256_GCM ? key.aead.decrypt(e.body(), aad)
                : ClassicalKeys.oaepDecrypt(key.privateKey, e.body(), aad);
        return new Plaintext(plaintext, e.version());
    }

    // ---------------------------------------------------------------- signatures

    /**
     * Signs {@code message} with the ring's primary version: ECDSA P-256 SHA-256 (DER), Ed25519,
     * RSASSA-PSS SHA-256 or ML-DSA-65. The signature over the message is the algorithm's own (anyone
     * with the public key verifies it); the envelope adds the ring and version.
     */
    public Signature sign(String ring, byte[] message) {
        Objects.requireNonNull(message, "message");
        limit(message, "message");
        VersionKey key = primary(ring, KeyOperation.SIGN);
        byte[] raw;
        if (key.type == KeyType.ML_DSA_65) {
            byte[] seed = key.seedCopy();
            try {
                raw = MlDsa65.sign(seed, message, random);
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        } else {
            raw = ClassicalKeys.sign(key.type, key.privateKey, message, random);
        }
        byte[] envelope = new DataPlaneEnvelope(DataPlaneEnvelope.SIGNATURE, key.type.code(), key.ringId, key.version,
                raw).encode();
        return new Signature(envelope, raw, key.version);
    }

    /**
     * Verifies a signature envelope of {@link #sign} under the version it names. Invalid when the
     * signature does not verify, names another ring, or names a version that may not verify
     * (below the minimum, destroyed, pre-active, scheduled for deletion, compromised).
     */
    public Verification verify(String ring, byte[] message, byte[] signature) {
        Objects.requireNonNull(message, "message");
        KeyRing r = ringOffering(ring, KeyOperation.VERIFY);
        DataPlaneEnvelope e = DataPlaneEnvelope.decode(signature, DataPlaneEnvelope.SIGNATURE);
        if (e == null || e.ringId() != r.id() || e.typeCode() != r.type().code()) {
            return new Verification(false, 0);
        }
        Optional<KeyVersion> v = r.version(e.version());
        if (v.isEmpty() || v.get().state() == KeyState.COMPROMISED) {
            return new Verification(false, e.version());
        }
        VersionKey key;
        try {
            key = version(r, e.version());
        } catch (KeyUnavailableException refused) {
            return new Verification(false, e.version());
        }
        boolean ok = key.type == KeyType.ML_DSA_65 ? MlDsa65.verify(key.rawPublicKey, message, e.body())
                : ClassicalKeys.verify(key.type, key.publicKey, message, e.body());
        return new Verification(ok, e.version());
    }

    // ---------------------------------------------------------------- key encapsulation

    /** Encapsulates a fresh 32-byte shared secret to the primary version's ML-KEM-768 public key. */
    public Encapsulation encapsulate(String ring) {
        VersionKey key = primary(ring, KeyOperation.ENCAPSULATE);
        MlKem768.Encapsulated enc = MlKem768.encapsulate(key.rawPublicKey, random);
        byte[] envelope = new DataPlaneEnvelope(DataPlaneEnvelope.ENCAPSULATION, key.type.code(), key.ringId,
                key.version, enc.ciphertext()).encode();
        return new Encapsulation(enc.sharedSecret(), envelope, enc.ciphertext(), key.version);
    }

    /**
     * Recovers the shared secret of an encapsulation envelope under the version it names.
     *
     * @throws DecryptionException (generic) when the envelope is malformed, names another ring or a
     *     refused version; a tampered ML-KEM ciphertext yields an unrelated secret (implicit rejection)
     */
    public Plaintext decapsulate(String ring, byte[] encapsulation) {
        KeyRing r = ringOffering(ring, KeyOperation.DECAPSULATE);
        DataPlaneEnvelope e = DataPlaneEnvelope.decode(encapsulation, DataPlaneEnvelope.ENCAPSULATION);
        if (e == null || e.ringId() != r.id() || e.typeCode() != r.type().code()
                || e.body().length != MlKem768.CIPHERTEXT_BYTES) {
            throw new DecryptionException();
        }
        VersionKey key;
        try {
            key = version(r, e.version());
        } catch (KeyUnavailableException refused) {
            throw new DecryptionException();
        }
        byte[] seed = key.seedCopy();
        try {
            return new Plaintext(MlKem768.decapsulate(seed, e.body()), e.version());
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    // ---------------------------------------------------------------- public keys

    /**
     * The public key of the primary version (or of {@code version}, if it may still decrypt or
     * verify), as the master key authenticates it.
     */
    public PublicKeyInfo publicKey(String ring, OptionalInt version) {
        KeyRing r = ringOffering(ring, KeyOperation.PUBLIC_KEY);
        VersionKey key = version.isEmpty() ? primary(ring, KeyOperation.PUBLIC_KEY) : version(r, version.getAsInt());
        return new PublicKeyInfo(key.type, key.version, key.spki.clone());
    }

    // ---------------------------------------------------------------- keys

    private KeyRing ringOffering(String ring, KeyOperation op) {
        KeyRing r;
        try {
            r = keys.dataPlaneRing(ring);
        } catch (KeyUnavailableException e) {
            throw new DataPlaneException(DataPlaneException.Reason.UNAVAILABLE, e.getMessage(), e);
        }
        if (!r.type().operations().contains(op)) {
            throw new DataPlaneException(DataPlaneException.Reason.UNSUPPORTED, "key ring " + ring + " is a "
                    + r.type().displayName() + " ring: it offers " + operations(r.type()) + ", not " + op.displayName());
        }
        return r;
    }

    private VersionKey primary(String ring, KeyOperation op) {
        KeyRing r = ringOffering(ring, op);
        try {
            return prepare(r, keys.dataPlanePrimaryKey(ring));
        } catch (KeyUnavailableException e) {
            throw new DataPlaneException(DataPlaneException.Reason.UNAVAILABLE, e.getMessage(), e);
        }
    }

    /** @throws KeyUnavailableException when the version may not be used (the key service audits why) */
    private VersionKey version(KeyRing ring, int version) {
        DataKey key = keys.dataPlaneVersionKey(ring.name(), version);
        return prepare(ring, key);
    }

    private VersionKey prepare(KeyRing ring, DataKey key) {
        long id = ((long) key.ringId() << 32) | (key.version() & 0xffffffffL);
        VersionKey cached = prepared.getIfPresent(id);
        if (cached != null && cached.servesMaterialOf(key)) {
            return cached;
        }
        KeyRing current = keys.ring(ring.name()).filter(x -> x.id() == key.ringId()).orElse(ring);
        byte[] storedPublicKey = current.version(key.version()).map(KeyVersion::publicKey).orElse(null);
        VersionKey fresh;
        try {
            fresh = VersionKey.of(current.type(), current.name(), key, storedPublicKey);
        } catch (IllegalArgumentException e) {
            throw new KeyUnavailableException("key ring " + current.name() + " version " + key.version()
                    + " cannot be used: " + e.getMessage(), e);
        }
        prepared.put(id, fresh);
        return fresh;
    }

    private static void limit(byte[] input, String what) {
        if (input.length > MAX_INPUT_BYTES) {
            throw new DataPlaneException(DataPlaneException.Reason.INVALID_INPUT, "the " + what + " has "
                    + input.length + " bytes (expected: <= " + MAX_INPUT_BYTES + ")");
        }
    }

    private static String operations(KeyType type) {
        return type.operations().stream().sorted().map(KeyOperation::displayName)
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
