package dev.pgseal.keys.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.KeyLifecycleException;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The data plane on a key service with its master key on a real SoftHSM2 token and its store in a
 * real PostgreSQL: round trips for every key type, the key-state rules, one error for every
 * ciphertext that must not decrypt, key pairs wrapped like data keys and checked against the store,
 * policy keys limited to AES rings, and grants.
 */
class DataPlaneIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final AtomicInteger RINGS = new AtomicInteger();
    private static final EncryptionContext CONTEXT = EncryptionContext.of(Map.of("tenant", "acme", "purpose", "test"));
    private static final byte[] SECRET = "a secret value".getBytes(StandardCharsets.UTF_8);

    /** A clock the test moves forward (scheduled deletions). */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-05-01T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    static final MovableClock CLOCK = new MovableClock();
    static StoreSettings store;
    static KeyService keys;
    static DataPlane plane;

    @BeforeAll
    static void open() {
        store = TestStores.freshStore("kms_plane");
        keys = KeyService.open(TOKEN.keystoreSettings("mk-plane"), store, CLOCK);
        plane = new DataPlane(keys);
    }

    @AfterAll
    static void close() {
        if (keys != null) {
            keys.close();
        }
    }

    private static String ring(KeyType type) {
        String name = type.displayName() + "-" + RINGS.incrementAndGet();
        keys.createRing(name, null, type, "test-admin");
        return name;
    }

    private static Connection sql() throws SQLException {
        return DriverManager.getConnection(store.jdbcUrl());
    }

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void everyKeyTypeRoundTripsItsOperationsAndRotationMakesANewKey(KeyType type) {
        String ring = ring(type);
        KeyRing created = keys.ring(ring).orElseThrow();
        assertThat(created.type()).isEqualTo(type);
        assertThat(created.version(1).orElseThrow().publicKey() != null).isEqualTo(type.asymmetric());

        Object before = exercise(type, ring, 1);
        keys.rotate(ring, "test-admin");
        Object after = exercise(type, ring, 2);
        if (type.asymmetric()) {
            assertThat(plane.publicKey(ring, OptionalInt.of(1)).subjectPublicKeyInfo())
                    .isNotEqualTo(plane.publicKey(ring, OptionalInt.empty()).subjectPublicKeyInfo());
        }
        // What version 1 made still opens under its (now deactivated) version.
        reopen(type, ring, before, 1);
        reopen(type, ring, after, 2);
    }

    /** Runs the type's operations with the primary version {@code v}; returns an output for {@link #reopen}. */
    private static Object exercise(KeyType type, String ring, int v) {
        switch (type) {
            case AES_256_GCM, RSA_3072_OAEP -> {
                DataPlane.Ciphertext c = plane.encrypt(ring, SECRET, CONTEXT);
                assertThat(c.keyVersion()).isEqualTo(v);
                assertThat(plane.decrypt(ring, c.ciphertext(), CONTEXT).plaintext()).isEqualTo(SECRET);
                DataPlane.GeneratedDataKey dk = plane.generateDataKey(ring, CONTEXT, true);
                assertThat(dk.plaintext()).hasSize(32);
                assertThat(plane.decrypt(ring, dk.ciphertext(), CONTEXT).plaintext()).isEqualTo(dk.plaintext());
                DataPlane.GeneratedDataKey wrappedOnly = plane.generateDataKey(ring, EncryptionContext.EMPTY, false);
                assertThat(wrappedOnly.plaintext()).isNull();
                assertThat(plane.decrypt(ring, wrappedOnly.ciphertext(), EncryptionContext.EMPTY).plaintext()).hasSize(32);
                return c.ciphertext();
            }
            case ML_KEM_768 -> {
                DataPlane.Encapsulation e = plane.encapsulate(ring);
                assertThat(e.keyVersion()).isEqualTo(v);
                assertThat(e.sharedSecret()).hasSize(32);
                assertThat(e.rawEncapsulation()).hasSize(MlKem768.CIPHERTEXT_BYTES);
                assertThat(plane.decapsulate(ring, e.encapsulation()).plaintext()).isEqualTo(e.sharedSecret());
                assertThat(plane.publicKey(ring, OptionalInt.empty()).keyVersion()).isEqualTo(v);
                return e;
            }
            default -> {
                DataPlane.Signature s = plane.sign(ring, SECRET);
                assertThat(s.keyVersion()).isEqualTo(v);
                assertThat(plane.verify(ring, SECRET, s.signature())).isEqualTo(new DataPlane.Verification(true, v));
                assertThat(plane.verify(ring, "other".getBytes(StandardCharsets.UTF_8), s.signature()).valid()).isFalse();
                // The raw signature is the algorithm's own, checkable with the public key alone.
                DataPlane.PublicKeyInfo pk = plane.publicKey(ring, OptionalInt.empty());
                Object pub = PublicKeys.parse(type, pk.subjectPublicKeyInfo());
                boolean raw = type == KeyType.ML_DSA_65 ? MlDsa65.verify((byte[]) pub, SECRET, s.rawSignature())
                        : ClassicalKeys.verify(type, (java.security.PublicKey) pub, SECRET, s.rawSignature());
                assertThat(raw).isTrue();
                assertThat(pk.pem()).startsWith("-----BEGIN PUBLIC KEY-----\n");
                return s.signature();
            }
        }
    }

    private static void reopen(KeyType type, String ring, Object output, int v) {
        switch (type) {
            case AES_256_GCM, RSA_3072_OAEP -> {
                DataPlane.Plaintext p = plane.decrypt(ring, (byte[]) output, CONTEXT);
                assertThat(p.plaintext()).isEqualTo(SECRET);
                assertThat(p.keyVersion()).isEqualTo(v);
                DataPlane.ReEncrypted r = plane.reEncrypt(ring, (byte[]) output, CONTEXT, CONTEXT);
                assertThat(r.sourceKeyVersion()).isEqualTo(v);
                assertThat(r.keyVersion()).isEqualTo(2);
                assertThat(plane.decrypt(ring, r.ciphertext(), CONTEXT).plaintext()).isEqualTo(SECRET);
            }
            case ML_KEM_768 -> {
                DataPlane.Encapsulation e = (DataPlane.Encapsulation) output;
                assertThat(plane.decapsulate(ring, e.encapsulation()).plaintext()).isEqualTo(e.sharedSecret());
            }
            default -> assertThat(plane.verify(ring, SECRET, (byte[]) output)).isEqualTo(new DataPlane.Verification(true, v));
        }
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void anOperationTheTypeDoesNotOfferIsRefusedByName(KeyType type) {
        String ring = ring(type);
        for (KeyOperation op : EnumSet.complementOf(EnumSet.copyOf(type.operations()))) {
            assertThatThrownBy(() -> call(op, ring))
                    .as(op + " on " + type).isInstanceOf(DataPlaneException.class)
                    .hasMessageContaining("key ring " + ring + " is a " + type.displayName() + " ring")
                    .extracting(e -> ((DataPlaneException) e).reason()).isEqualTo(DataPlaneException.Reason.UNSUPPORTED);
        }
    }

    private static Object call(KeyOperation op, String ring) {
        byte[] junk = new byte[40];
        return switch (op) {
            case ENCRYPT -> plane.encrypt(ring, SECRET, CONTEXT);
            case DECRYPT -> plane.decrypt(ring, junk, CONTEXT);
            case GENERATE_DATA_KEY -> plane.generateDataKey(ring, CONTEXT, true);
            case RE_ENCRYPT -> plane.reEncrypt(ring, junk, CONTEXT, CONTEXT);
            case SIGN -> plane.sign(ring, SECRET);
            case VERIFY -> plane.verify(ring, SECRET, junk);
            case ENCAPSULATE -> plane.encapsulate(ring);
            case DECAPSULATE -> plane.decapsulate(ring, junk);
            case PUBLIC_KEY -> plane.publicKey(ring, OptionalInt.empty());
        };
    }

    // ---------------------------------------------------------------- one error for everything that must not decrypt

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"AES_256_GCM", "RSA_3072_OAEP"})
    void wrongContextTamperedBytesAnotherVersionOrRingAllFailWithTheOneGenericError(KeyType type) {
        String ring = ring(type);
        String other = ring(type);
        byte[] ct = plane.encrypt(ring, SECRET, CONTEXT).ciphertext();
        keys.rotate(ring, "test-admin"); // so version 2 exists and a header can name it

        assertRefused(ring, ct, EncryptionContext.of(Map.of("tenant", "acme", "purpose", "other")));
        assertRefused(ring, ct, EncryptionContext.EMPTY);
        assertRefused(ring, ct, EncryptionContext.of(Map.of("tenant", "acme", "purpose", "test", "extra", "x")));
        assertRefused(other, ct, CONTEXT); // another ring of the same type
        // Every byte of the header, and bytes across the body.
        for (int i = 0; i < ct.length; i += i < DataPlaneEnvelope.HEADER_BYTES ? 1 : 37) {
            byte[] t = ct.clone();
            t[i] ^= 0x01;
            assertRefused(ring, t, CONTEXT);
        }
        byte[] lastByte = ct.clone();
        lastByte[lastByte.length - 1] ^= (byte) 0x80;
        assertRefused(ring, lastByte, CONTEXT);
        byte[] otherVersion = ct.clone();
        otherVersion[9] = 2; // the header names version 2, which exists but did not encrypt this
        assertRefused(ring, otherVersion, CONTEXT);
        byte[] unknownVersion = ct.clone();
        unknownVersion[9] = 9;
        assertRefused(ring, unknownVersion, CONTEXT);
        assertRefused(ring, Arrays.copyOf(ct, ct.length - 1), CONTEXT);
        assertRefused(ring, new byte[0], CONTEXT);
        assertRefused(ring, null, CONTEXT);
        // and the genuine one still decrypts
        assertThat(plane.decrypt(ring, ct, CONTEXT).plaintext()).isEqualTo(SECRET);
    }

    private static void assertRefused(String ring, byte[] ct, EncryptionContext context) {
        assertThatThrownBy(() -> plane.decrypt(ring, ct, context)).isExactlyInstanceOf(DecryptionException.class)
                .hasMessage(DecryptionException.GENERIC_MESSAGE).hasNoCause();
        assertThatThrownBy(() -> plane.reEncrypt(ring, ct, context, context)).isExactlyInstanceOf(DecryptionException.class)
                .hasMessage(DecryptionException.GENERIC_MESSAGE);
    }

    @Test
    void aTamperedSignatureOrOneNamingAnotherRingOrVersionDoesNotVerify() {
        String ring = ring(KeyType.ED25519);
        String other = ring(KeyType.ED25519);
        byte[] sig = plane.sign(ring, SECRET).signature();
        keys.rotate(ring, "test-admin");
        for (int i = 0; i < sig.length; i++) {
            byte[] t = sig.clone();
            t[i] ^= 0x01;
            assertThat(plane.verify(ring, SECRET, t).valid()).as("byte " + i).isFalse();
        }
        assertThat(plane.verify(other, SECRET, sig).valid()).isFalse();
        assertThat(plane.verify(ring, SECRET, sig).valid()).isTrue();
    }

    @Test
    void aTamperedEncapsulationGivesAnotherSecretAndAMalformedOneIsRefused() {
        String ring = ring(KeyType.ML_KEM_768);
        DataPlane.Encapsulation e = plane.encapsulate(ring);
        byte[] t = e.encapsulation().clone();
        t[500] ^= 1;
        assertThat(plane.decapsulate(ring, t).plaintext()).isNotEqualTo(e.sharedSecret()); // implicit rejection
        t = e.encapsulation().clone();
        t[9] = 7; // a version the ring does not have
        byte[] unknownVersion = t;
        assertThatThrownBy(() -> plane.decapsulate(ring, unknownVersion)).isExactlyInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> plane.decapsulate(ring, Arrays.copyOf(e.encapsulation(), 100)))
                .isExactlyInstanceOf(DecryptionException.class);
    }

    // ---------------------------------------------------------------- key states

    @Test
    void minimumDecryptionVersionDestructionAndCompromiseFollowTheKeyStateRules() throws Exception {
        String aes = ring(KeyType.AES_256_GCM);
        String ec = ring(KeyType.EC_P256);
        byte[] ct1 = plane.encrypt(aes, SECRET, CONTEXT).ciphertext();
        byte[] sig1 = plane.sign(ec, SECRET).signature();
        keys.rotate(aes, "test-admin");
        keys.rotate(ec, "test-admin");
        byte[] ct2 = plane.encrypt(aes, SECRET, CONTEXT).ciphertext();
        byte[] sig2 = plane.sign(ec, SECRET).signature();

        // deactivated: decrypts and verifies
        assertThat(keys.ring(aes).orElseThrow().version(1).orElseThrow().state()).isEqualTo(KeyState.DEACTIVATED);
        assertThat(plane.decrypt(aes, ct1, CONTEXT).plaintext()).isEqualTo(SECRET);
        assertThat(plane.verify(ec, SECRET, sig1).valid()).isTrue();

        // compromised: still decrypts (to re-encrypt), no longer verifies
        keys.setState(aes, 1, KeyState.COMPROMISED, "test-admin");
        keys.setState(ec, 1, KeyState.COMPROMISED, "test-admin");
        assertThat(plane.decrypt(aes, ct1, CONTEXT).plaintext()).isEqualTo(SECRET);
        assertThat(plane.verify(ec, SECRET, sig1)).isEqualTo(new DataPlane.Verification(false, 1));
        assertThat(plane.verify(ec, SECRET, sig2).valid()).isTrue();

        // below the minimum decryption version: refused, with the reason in the audit log only
        keys.setMinDecryptionVersion(aes, 2, "test-admin");
        assertRefused(aes, ct1, CONTEXT);
        assertThat(plane.decrypt(aes, ct2, CONTEXT).plaintext()).isEqualTo(SECRET);
        assertThat(keys.auditEvents(new AuditQuery(null, KeyService.SYSTEM_ACTOR, "key.request", 20)).stream()
                .map(e -> String.valueOf(e.details().get("reason"))))
                .anyMatch(r -> r.contains("version 1 is below the minimum decryption version 2"));

        // destroyed: nothing verifies under it any more
        keys.scheduleDeletion(ec, OptionalInt.of(1), Duration.ofDays(7), "test-admin");
        assertThat(plane.verify(ec, SECRET, sig1).valid()).isFalse(); // pending deletion
        CLOCK.advance(Duration.ofDays(8));
        assertThat(keys.runDueDeletions(CLOCK.instant())).contains("ring:" + ec + "/v1");
        assertThat(plane.verify(ec, SECRET, sig1).valid()).isFalse();
        assertThat(plane.verify(ec, SECRET, sig2).valid()).isTrue();
        assertThatThrownBy(() -> plane.publicKey(ec, OptionalInt.of(1))).isInstanceOf(KeyUnavailableException.class);

        // a ring scheduled for deletion is refused for every operation
        keys.scheduleDeletion(aes, OptionalInt.empty(), Duration.ofDays(7), "test-admin");
        assertThatThrownBy(() -> plane.encrypt(aes, SECRET, CONTEXT)).isInstanceOf(DataPlaneException.class)
                .hasMessageContaining("scheduled for deletion");
        assertRefused(aes, ct2, CONTEXT);
        keys.cancelDeletion(aes, OptionalInt.empty(), "test-admin");
        assertThat(plane.decrypt(aes, ct2, CONTEXT).plaintext()).isEqualTo(SECRET);
    }

    // ---------------------------------------------------------------- key pairs in the store

    @Test
    void privateKeysAreStoredWrappedAndAChangedPublicKeyInTheStoreIsRefused() throws Exception {
        String ring = ring(KeyType.ED25519);
        String donor = ring(KeyType.ED25519);
        byte[] sig = plane.sign(ring, SECRET).signature();
        byte[] spki = plane.publicKey(ring, OptionalInt.empty()).subjectPublicKeyInfo();
        try (Connection c = sql(); PreparedStatement ps = c.prepareStatement("select v.public_key, v.wrapped_material "
                + "from pgseal.key_versions v join pgseal.key_rings r on r.id = v.ring_id where r.name = ?")) {
            ps.setString(1, ring);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getBytes(1)).isEqualTo(spki);
                // the wrapped material holds the key pair encrypted: not even its public half shows
                assertThat(indexOf(rs.getBytes(2), Arrays.copyOfRange(spki, 12, 44))).isEqualTo(-1);
            }
        }
        // Someone with write access to the store swaps in another ring's public key.
        try (Connection c = sql(); PreparedStatement ps = c.prepareStatement("update pgseal.key_versions set public_key = "
                + "(select v.public_key from pgseal.key_versions v join pgseal.key_rings r on r.id = v.ring_id "
                + "where r.name = ? and v.version = 1) where ring_id = (select id from pgseal.key_rings where name = ?)")) {
            ps.setString(1, donor);
            ps.setString(2, ring);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        keys.refresh();
        keys.invalidateCache();
        assertThat(plane.verify(ring, SECRET, sig).valid()).isFalse();
        assertThatThrownBy(() -> plane.sign(ring, SECRET)).isInstanceOf(DataPlaneException.class)
                .hasMessageContaining("the public key stored in the clear is not the one wrapped with the private key");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void masterKeyRotationRewrapsKeyPairsAndTheyKeepWorking() {
        String dsa = ring(KeyType.ML_DSA_65);
        String kem = ring(KeyType.ML_KEM_768);
        byte[] sig = plane.sign(dsa, SECRET).signature();
        DataPlane.Encapsulation e = plane.encapsulate(kem);
        String fresh = keys.rotateMasterKey("test-admin");
        keys.invalidateCache();
        assertThat(keys.ring(dsa).orElseThrow().version(1).orElseThrow().masterKeyLabel()).isEqualTo(fresh);
        assertThat(plane.verify(dsa, SECRET, sig).valid()).isTrue();
        assertThat(plane.decapsulate(kem, e.encapsulation()).plaintext()).isEqualTo(e.sharedSecret());
    }

    // ---------------------------------------------------------------- policy keys

    @Test
    void aPolicyKeyNamingANonAesRingIsRefusedWithAClearError() {
        String ring = ring(KeyType.ED25519);
        assertThatThrownBy(() -> keys.ensureRings(List.of(ring), KeyService.SYSTEM_ACTOR))
                .isInstanceOf(KeyLifecycleException.class)
                .hasMessage("the policy key " + ring + " names a key ring of type ed25519: column encryption needs an "
                        + "aes-256-gcm ring; give the policy key another name");
        assertThatThrownBy(() -> keys.encryptionKey(ring)).isInstanceOf(KeyUnavailableException.class)
                .hasMessage("key ring " + ring + " is a ed25519 ring: column encryption needs an aes-256-gcm ring");
        String aes = ring(KeyType.AES_256_GCM);
        assertThat(keys.ensureRings(List.of(aes), KeyService.SYSTEM_ACTOR)).isEmpty();
        assertThat(keys.encryptionKey(aes).version()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- grants

    @Test
    void grantsAreForAppPrincipalsAndTheOperationsTheTypeOffersAndRevocationIsImmediate() {
        String ring = ring(KeyType.EC_P256);
        keys.accessTokens().create("grant-app", Role.APP, "test-setup");
        keys.accessTokens().create("grant-admin", Role.ADMIN, "test-setup");
        KeyGrants grants = keys.keyGrants();

        assertThat(grants.allows("grant-app", ring, KeyOperation.SIGN)).isFalse(); // least privilege by default
        KeyGrants.Grant g = grants.grant(ring, "grant-app", Set.of(KeyOperation.VERIFY), "test-admin");
        assertThat(g.operations()).containsExactly(KeyOperation.VERIFY);
        assertThat(grants.allows("grant-app", ring, KeyOperation.VERIFY)).isTrue();
        assertThat(grants.allows("grant-app", ring, KeyOperation.SIGN)).isFalse();
        assertThat(grants.grant(ring, "grant-app", Set.of(), "test-admin").operations())
                .isEqualTo(KeyType.EC_P256.operations());
        assertThat(grants.list(ring)).extracting(KeyGrants.Grant::principal).containsExactly("grant-app");

        assertThatThrownBy(() -> grants.grant(ring, "grant-admin", Set.of(), "test-admin"))
                .isInstanceOf(GrantException.class).hasMessageContaining("data-plane grants are for principals of role app");
        assertThatThrownBy(() -> grants.grant(ring, "grant-app", Set.of(KeyOperation.ENCRYPT), "test-admin"))
                .isInstanceOf(GrantException.class).hasMessage("key ring " + ring + " is a ec-p256 ring: it offers sign, "
                        + "verify, public-key, not encrypt");
        assertThatThrownBy(() -> grants.grant(ring, "nobody", Set.of(), "test-admin"))
                .isInstanceOf(GrantException.class).matches(e -> ((GrantException) e).unknownObject());
        assertThatThrownBy(() -> grants.grant("no-such-ring", "grant-app", Set.of(), "test-admin"))
                .isInstanceOf(GrantException.class).matches(e -> ((GrantException) e).unknownObject());

        grants.revoke(ring, "grant-app", "test-admin");
        assertThat(grants.allows("grant-app", ring, KeyOperation.SIGN)).isFalse();
        assertThatThrownBy(() -> grants.revoke(ring, "grant-app", "test-admin")).isInstanceOf(GrantException.class);
        assertThat(keys.auditEvents(new AuditQuery(null, "test-admin", "grant.revoke", 1))).singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("principal", "grant-app"));
    }
}
