package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.APP;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static dev.pgseal.keys.access.Role.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.keys.kms.DataPlane;
import dev.pgseal.keys.kms.EncryptionContext;
import dev.pgseal.keys.kms.Jdk25;
import dev.pgseal.keys.kms.KeyOperation;
import dev.pgseal.keys.kms.KeyType;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KMS data plane and its grants over real HTTP, on a key service whose master key is on a real
 * SoftHSM2 token and whose store is a real PostgreSQL: every endpoint with every role (and an app
 * with and without a grant), round trips for every key type, outputs checked by an independent
 * implementation (Bouncy Castle for the JDK-made classical ones, the JDK 25 for pgseal's ML-DSA and
 * ML-KEM on Bouncy Castle), one error for what must not decrypt, and no secret in the audit log.
 */
class DataPlaneRoutesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger RINGS = new AtomicInteger();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder UNB64 = Base64.getDecoder();
    /** Plaintexts and secrets this test saw: none may reach the audit log. */
    private static final List<String> SECRETS = new ArrayList<>();
    private static final String PLAINTEXT = "card 4111 1111 1111 1111";

    static StoreSettings store;
    static KeyService keys;
    static AdminServer server;
    static DataPlane direct;
    static final Map<String, String> TOKENS = new java.util.HashMap<>();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Who calls: a role, and for app whether it holds the grant. */
    enum Caller {
        ADMIN_P("admin-p", ADMIN), OPERATOR_P("operator-p", OPERATOR), AUDITOR_P("auditor-p", AUDITOR),
        APP_GRANTED("app-p", APP), APP_WITHOUT_GRANT("app-nogrant", APP);

        final String principal;
        final Role role;

        Caller(String principal, Role role) {
            this.principal = principal;
            this.role = role;
        }
    }

    @BeforeAll
    static void start() {
        SoftHsmToken token = SoftHsmToken.get();
        store = TestStores.freshStore("kms_api");
        keys = KeyService.open(token.keystoreSettings("mk-kms-api"), store, Clock.systemUTC());
        server = AdminServer.start("127.0.0.1", 0, keys, AdminServer.Settings.DEFAULT);
        direct = new DataPlane(keys);
        for (Caller c : Caller.values()) {
            TOKENS.put(c.principal, keys.accessTokens().create(c.principal, c.role, "test-setup").secretText());
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (keys != null) {
                keys.close();
            }
        }
    }

    record Answer(int status, JsonNode body) {
    }

    static Answer send(String method, String path, Object body, String principal) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TOKENS.get(principal));
        try {
            String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
            b.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode ok(Answer a) {
        assertThat(a.status()).as(a.body().toString()).isBetween(200, 201);
        return a.body();
    }

    static String b64(byte[] b) {
        return B64.encodeToString(b);
    }

    static byte[] bytes(JsonNode n, String field) {
        assertThat(n.has(field)).as(field + " in " + n).isTrue();
        return UNB64.decode(n.get(field).asText());
    }

    /** A ring of {@code type} with app-p granted {@code ops} (none: no grant). */
    static String ring(KeyType type, Set<KeyOperation> ops) {
        String name = type.displayName() + "-" + RINGS.incrementAndGet();
        keys.createRing(name, null, type, "test-setup");
        if (!ops.isEmpty()) {
            keys.keyGrants().grant(name, "app-p", ops, "test-setup");
        }
        return name;
    }

    // ---------------------------------------------------------------- every endpoint, every role

    /** One endpoint: the ring type it needs, the operation an app needs, who else may call, and its call. */
    record Endpoint(String action, String method, KeyType type, KeyOperation operation, Set<Role> otherRoles,
            int success, java.util.function.Function<String, Object[]> call) {
        @Override
        public String toString() {
            return action;
        }
    }

    /** The Java data plane on the same key service, to prepare inputs (ciphertexts, signatures). */
    private static DataPlane plane() {
        return direct;
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Endpoint> endpoints() {
        Map<String, String> ctx = Map.of("tenant", "acme");
        byte[] msg = "a message".getBytes(StandardCharsets.UTF_8);
        return List.of(
                new Endpoint("keys.encrypt", "POST", KeyType.AES_256_GCM, KeyOperation.ENCRYPT, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/encrypt", body("plaintext", b64(msg), "context", ctx)}),
                new Endpoint("keys.decrypt", "POST", KeyType.AES_256_GCM, KeyOperation.DECRYPT, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/decrypt", body("ciphertext",
                                b64(plane().encrypt(r, msg, EncryptionContext.of(ctx)).ciphertext()), "context", ctx)}),
                new Endpoint("keys.generate-data-key", "POST", KeyType.AES_256_GCM, KeyOperation.GENERATE_DATA_KEY,
                        Set.of(), 200, r -> new Object[] {"/v1/keys/" + r + "/generate-data-key", body("context", ctx)}),
                new Endpoint("keys.re-encrypt", "POST", KeyType.RSA_3072_OAEP, KeyOperation.RE_ENCRYPT, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/re-encrypt", body("ciphertext",
                                b64(plane().encrypt(r, msg, EncryptionContext.EMPTY).ciphertext()))}),
                new Endpoint("keys.sign", "POST", KeyType.ED25519, KeyOperation.SIGN, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/sign", body("message", b64(msg))}),
                new Endpoint("keys.verify", "POST", KeyType.EC_P256, KeyOperation.VERIFY, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/verify", body("message", b64(msg), "signature",
                                b64(plane().sign(r, msg).signature()))}),
                new Endpoint("keys.encapsulate", "POST", KeyType.ML_KEM_768, KeyOperation.ENCAPSULATE, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/encapsulate", null}),
                new Endpoint("keys.decapsulate", "POST", KeyType.ML_KEM_768, KeyOperation.DECAPSULATE, Set.of(), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/decapsulate", body("encapsulation",
                                b64(plane().encapsulate(r).encapsulation()))}),
                new Endpoint("keys.public-key", "GET", KeyType.ML_DSA_65, KeyOperation.PUBLIC_KEY,
                        Set.of(ADMIN, OPERATOR, AUDITOR), 200, r -> new Object[] {"/v1/keys/" + r + "/public-key", null}),
                new Endpoint("grants.list", "GET", KeyType.AES_256_GCM, null, Set.of(ADMIN, AUDITOR), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/grants", null}),
                new Endpoint("grants.create", "POST", KeyType.AES_256_GCM, null, Set.of(ADMIN), 201,
                        r -> new Object[] {"/v1/keys/" + r + "/grants", body("principal", "app-nogrant",
                                "operations", List.of("decrypt"))}),
                new Endpoint("grants.revoke", "POST", KeyType.AES_256_GCM, null, Set.of(ADMIN), 200,
                        r -> new Object[] {"/v1/keys/" + r + "/grants/app-p/revoke", null}));
    }

    static Stream<Arguments> everyEndpointWithEveryCaller() {
        List<Arguments> out = new ArrayList<>();
        for (Endpoint e : endpoints()) {
            for (Caller c : Caller.values()) {
                out.add(Arguments.of(e, c));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("everyEndpointWithEveryCaller")
    void everyEndpointAllowsItsRolesAndGrantedAppsOnlyAndDeniesTheRest(Endpoint e, Caller caller) {
        // app-p holds a grant of exactly this operation (grant endpoints: a grant of encrypt to revoke)
        String ring = ring(e.type(), e.operation() == null ? Set.of(KeyOperation.ENCRYPT) : Set.of(e.operation()));
        Object[] call = e.call().apply(ring);

        Answer a = send(e.method(), (String) call[0], call[1], caller.principal);

        boolean roleAllowed = e.operation() == null ? e.otherRoles().contains(caller.role)
                : caller.role == APP || e.otherRoles().contains(caller.role);
        boolean allowed = roleAllowed && (caller != Caller.APP_WITHOUT_GRANT || e.operation() == null);
        List<AuditQuery.Entry> events = keys.auditEvents(new AuditQuery(null, caller.principal, "api." + e.action(), 1));
        assertThat(events).hasSize(1);
        AuditQuery.Entry event = events.get(0);
        assertThat(event.object()).isEqualTo("ring:" + ring);
        if (allowed) {
            assertThat(a.status()).as(a.body().toString()).isEqualTo(e.success());
            assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
        } else {
            assertThat(a.status()).as(a.body().toString()).isEqualTo(403);
            assertThat(a.body().path("error").asText()).isEqualTo("forbidden");
            String expected = !roleAllowed ? "role " + caller.role.displayName() + " may not call " + e.action()
                    : "principal app-nogrant has no grant for " + e.operation().displayName() + " on key ring " + ring;
            assertThat(a.body().path("message").asText()).startsWith(expected);
            assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
            assertThat(event.details()).containsEntry("reason", a.body().path("message").asText());
        }
    }

    @Test
    void aGrantCoversOnlyTheOperationsItNamesAndARevocationIsEffectiveAtOnce() {
        String ring = ring(KeyType.AES_256_GCM, Set.of(KeyOperation.ENCRYPT));
        JsonNode c = ok(send("POST", "/v1/keys/" + ring + "/encrypt", body("plaintext", b64(new byte[] {1, 2})), "app-p"));
        Answer decrypt = send("POST", "/v1/keys/" + ring + "/decrypt", body("ciphertext", c.get("ciphertext").asText()),
                "app-p");
        assertThat(decrypt.status()).isEqualTo(403);
        assertThat(decrypt.body().path("message").asText())
                .isEqualTo("principal app-p has no grant for decrypt on key ring " + ring);
        // an unknown ring says no more than a ring without a grant
        Answer unknown = send("POST", "/v1/keys/no-such-ring/encrypt", body("plaintext", b64(new byte[] {1})), "app-p");
        assertThat(unknown.status()).isEqualTo(403);

        ok(send("POST", "/v1/keys/" + ring + "/grants/app-p/revoke", null, "admin-p"));
        assertThat(send("POST", "/v1/keys/" + ring + "/encrypt", body("plaintext", b64(new byte[] {1})), "app-p").status())
                .isEqualTo(403);
        assertThat(ok(send("GET", "/v1/keys/" + ring + "/grants", null, "auditor-p")).get("grants")).isEmpty();

        Answer toAdmin = send("POST", "/v1/keys/" + ring + "/grants", body("principal", "admin-p"), "admin-p");
        assertThat(toAdmin.status()).isEqualTo(409);
        assertThat(toAdmin.body().path("message").asText()).contains("data-plane grants are for principals of role app");
        Answer badOp = send("POST", "/v1/keys/" + ring + "/grants", body("principal", "app-p", "operations",
                List.of("sign")), "admin-p");
        assertThat(badOp.status()).isEqualTo(409);
        assertThat(send("POST", "/v1/keys/" + ring + "/grants", body("principal", "nobody"), "admin-p").status())
                .isEqualTo(404);
    }

    // ---------------------------------------------------------------- round trips for every type

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void everyKeyTypeRoundTripsOverHttpAndRotationMovesToANewKey(KeyType type) {
        String ring = "http-" + type.displayName() + "-" + RINGS.incrementAndGet();
        JsonNode created = ok(send("POST", "/v1/keys", body("name", ring, "type", type.displayName()), "admin-p"));
        assertThat(created.path("ring").path("type").asText()).isEqualTo(type.displayName());
        assertThat(ok(send("GET", "/v1/keys/" + ring, null, "auditor-p")).path("ring").path("type").asText())
                .isEqualTo(type.displayName());
        JsonNode grant = ok(send("POST", "/v1/keys/" + ring + "/grants", body("principal", "app-p"), "admin-p"));
        assertThat(grant.path("grant").path("operations")).hasSize(type.operations().size());

        JsonNode v1 = exercise(type, ring, 1);
        ok(send("POST", "/v1/keys/" + ring + "/rotate", null, "operator-p"));
        exercise(type, ring, 2);
        reopen(type, ring, v1);
    }

    private static JsonNode exercise(KeyType type, String ring, int version) {
        String base = "/v1/keys/" + ring;
        Map<String, String> ctx = Map.of("tenant", "acme", "table", "cards");
        switch (type) {
            case AES_256_GCM, RSA_3072_OAEP -> {
                SECRETS.add(b64(PLAINTEXT.getBytes(StandardCharsets.UTF_8)));
                JsonNode c = ok(send("POST", base + "/encrypt", body("plaintext",
                        b64(PLAINTEXT.getBytes(StandardCharsets.UTF_8)), "context", ctx), "app-p"));
                assertThat(c.get("key_version").asInt()).isEqualTo(version);
                JsonNode p = ok(send("POST", base + "/decrypt", body("ciphertext", c.get("ciphertext").asText(),
                        "context", ctx), "app-p"));
                assertThat(new String(bytes(p, "plaintext"), StandardCharsets.UTF_8)).isEqualTo(PLAINTEXT);
                JsonNode dk = ok(send("POST", base + "/generate-data-key", body("context", ctx), "app-p"));
                SECRETS.add(dk.get("plaintext").asText());
                assertThat(bytes(dk, "plaintext")).hasSize(32);
                JsonNode back = ok(send("POST", base + "/decrypt", body("ciphertext", dk.get("ciphertext").asText(),
                        "context", ctx), "app-p"));
                assertThat(back.get("plaintext").asText()).isEqualTo(dk.get("plaintext").asText());
                JsonNode wrappedOnly = ok(send("POST", base + "/generate-data-key", body("include_plaintext", false),
                        "app-p"));
                assertThat(wrappedOnly.has("plaintext")).isFalse();
                assertThat(wrappedOnly.has("ciphertext")).isTrue();
                return c;
            }
            case ML_KEM_768 -> {
                JsonNode e = ok(send("POST", base + "/encapsulate", null, "app-p"));
                SECRETS.add(e.get("shared_secret").asText());
                assertThat(e.get("key_version").asInt()).isEqualTo(version);
                JsonNode d = ok(send("POST", base + "/decapsulate", body("encapsulation", e.get("encapsulation").asText()),
                        "app-p"));
                assertThat(d.get("shared_secret").asText()).isEqualTo(e.get("shared_secret").asText());
                return e;
            }
            default -> {
                byte[] msg = "signed over http".getBytes(StandardCharsets.UTF_8);
                JsonNode s = ok(send("POST", base + "/sign", body("message", b64(msg)), "app-p"));
                assertThat(s.get("key_version").asInt()).isEqualTo(version);
                JsonNode v = ok(send("POST", base + "/verify", body("message", b64(msg), "signature",
                        s.get("signature").asText()), "app-p"));
                assertThat(v.get("valid").asBoolean()).isTrue();
                JsonNode bad = ok(send("POST", base + "/verify", body("message", b64(new byte[] {1}), "signature",
                        s.get("signature").asText()), "app-p"));
                assertThat(bad.get("valid").asBoolean()).isFalse();
                JsonNode pk = ok(send("GET", base + "/public-key", null, "app-p"));
                assertThat(pk.get("key_version").asInt()).isEqualTo(version);
                assertThat(pk.get("key_type").asText()).isEqualTo(type.displayName());
                ((ObjectNode) s).put("message", b64(msg));
                return s;
            }
        }
    }

    private static void reopen(KeyType type, String ring, JsonNode v1) {
        String base = "/v1/keys/" + ring;
        Map<String, String> ctx = Map.of("table", "cards", "tenant", "acme"); // order does not matter
        switch (type) {
            case AES_256_GCM, RSA_3072_OAEP -> {
                JsonNode p = ok(send("POST", base + "/decrypt", body("ciphertext", v1.get("ciphertext").asText(),
                        "context", ctx), "app-p"));
                assertThat(p.get("key_version").asInt()).isEqualTo(1);
                JsonNode r = ok(send("POST", base + "/re-encrypt", body("ciphertext", v1.get("ciphertext").asText(),
                        "context", ctx, "new_context", Map.of("tenant", "acme")), "app-p"));
                assertThat(r.has("plaintext")).isFalse();
                assertThat(r.get("source_key_version").asInt()).isEqualTo(1);
                assertThat(r.get("key_version").asInt()).isEqualTo(2);
                JsonNode again = ok(send("POST", base + "/decrypt", body("ciphertext", r.get("ciphertext").asText(),
                        "context", Map.of("tenant", "acme")), "app-p"));
                assertThat(new String(bytes(again, "plaintext"), StandardCharsets.UTF_8)).isEqualTo(PLAINTEXT);
            }
            case ML_KEM_768 -> {
                JsonNode d = ok(send("POST", base + "/decapsulate", body("encapsulation",
                        v1.get("encapsulation").asText()), "app-p"));
                assertThat(d.get("shared_secret").asText()).isEqualTo(v1.get("shared_secret").asText());
                assertThat(d.get("key_version").asInt()).isEqualTo(1);
            }
            default -> {
                JsonNode v = ok(send("POST", base + "/verify", body("message", v1.get("message").asText(), "signature",
                        v1.get("signature").asText()), "app-p"));
                assertThat(v.get("valid").asBoolean()).isTrue();
                assertThat(v.get("key_version").asInt()).isEqualTo(1);
                assertThat(ok(send("GET", base + "/public-key?version=1", null, "app-p")).get("public_key").asText())
                        .isNotEqualTo(ok(send("GET", base + "/public-key", null, "app-p")).get("public_key").asText());
            }
        }
    }

    // ---------------------------------------------------------------- independent implementations

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "ED25519", "RSA_3072_PSS"})
    void signaturesMadeOverHttpVerifyWithBouncyCastle(KeyType type) throws Exception {
        String ring = ring(type, type.operations());
        byte[] msg = "verify me elsewhere".getBytes(StandardCharsets.UTF_8);
        JsonNode s = ok(send("POST", "/v1/keys/" + ring + "/sign", body("message", b64(msg)), "app-p"));
        byte[] spki = bytes(ok(send("GET", "/v1/keys/" + ring + "/public-key", null, "app-p")), "public_key");
        BouncyCastleProvider bc = new BouncyCastleProvider();
        String keyAlg = type == KeyType.EC_P256 ? "EC" : type == KeyType.ED25519 ? "Ed25519" : "RSA";
        String sigAlg = type == KeyType.EC_P256 ? "SHA256withECDSA" : type == KeyType.ED25519 ? "Ed25519"
                : "SHA256withRSAandMGF1";
        PublicKey pub = KeyFactory.getInstance(keyAlg, bc).generatePublic(new X509EncodedKeySpec(spki));
        Signature v = Signature.getInstance(sigAlg, bc);
        v.initVerify(pub);
        v.update(msg);
        assertThat(v.verify(bytes(s, "raw_signature"))).isTrue();
        // the envelope is the header and then exactly that signature
        byte[] envelope = bytes(s, "signature");
        assertThat(java.util.Arrays.copyOfRange(envelope, 10, envelope.length)).isEqualTo(bytes(s, "raw_signature"));
        assertThat(envelope[0] & 0xff).isEqualTo(0xD2);
    }

    @Test
    void aCiphertextMadeByBouncyCastleWithTheRingsPublicKeyAndTheDocumentedHeaderDecrypts() throws Exception {
        String ring = ring(KeyType.RSA_3072_OAEP, KeyType.RSA_3072_OAEP.operations());
        JsonNode pk = ok(send("GET", "/v1/keys/" + ring + "/public-key", null, "app-p"));
        int ringId = ok(send("GET", "/v1/keys/" + ring, null, "admin-p")).path("ring").path("id").asInt();
        byte[] header = ByteBuffer.allocate(10).put((byte) 0xD1).put((byte) KeyType.RSA_3072_OAEP.code()).putInt(ringId)
                .putInt(pk.get("key_version").asInt()).array();
        byte[] context = ByteBuffer.allocate(4 + 4 + 6 + 4 + 4).putInt(1).putInt(6).put("tenant".getBytes(
                StandardCharsets.US_ASCII)).putInt(4).put("acme".getBytes(StandardCharsets.US_ASCII)).array();
        byte[] label = ByteBuffer.allocate(13 + header.length + context.length)
                .put("pgseal kms v1".getBytes(StandardCharsets.US_ASCII)).put(header).put(context).array();
        Cipher bc = Cipher.getInstance("RSA/NONE/OAEPPadding", new BouncyCastleProvider());
        bc.init(Cipher.ENCRYPT_MODE, KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                bytes(pk, "public_key"))), new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                new PSource.PSpecified(label)), new SecureRandom());
        byte[] body = bc.doFinal("sealed offline".getBytes(StandardCharsets.UTF_8));
        byte[] ct = ByteBuffer.allocate(header.length + body.length).put(header).put(body).array();

        JsonNode p = ok(send("POST", "/v1/keys/" + ring + "/decrypt", body("ciphertext", b64(ct), "context",
                Map.of("tenant", "acme")), "app-p"));
        assertThat(new String(bytes(p, "plaintext"), StandardCharsets.UTF_8)).isEqualTo("sealed offline");
    }

    @Test
    void postQuantumOutputsOverHttpCheckOutWithTheJdk25(@TempDir Path dir) throws Exception {
        Optional<Path> jdk = Jdk25.java();
        assumeTrue(jdk.isPresent(), "no JDK 25 installed (set PGSEAL_TEST_JDK25): independent ML-DSA/ML-KEM check skipped");
        String dsa = ring(KeyType.ML_DSA_65, KeyType.ML_DSA_65.operations());
        String kem = ring(KeyType.ML_KEM_768, KeyType.ML_KEM_768.operations());
        Files.write(dir.resolve("mldsa.pub"), bytes(ok(send("GET", "/v1/keys/" + dsa + "/public-key", null, "app-p")),
                "public_key"));
        Files.write(dir.resolve("mlkem.pub"), bytes(ok(send("GET", "/v1/keys/" + kem + "/public-key", null, "app-p")),
                "public_key"));
        byte[][] messages = {"one".getBytes(StandardCharsets.UTF_8), new byte[0]};
        for (int i = 0; i < messages.length; i++) {
            Files.write(dir.resolve("msg." + i), messages[i]);
            Files.write(dir.resolve("sig." + i), bytes(ok(send("POST", "/v1/keys/" + dsa + "/sign",
                    body("message", b64(messages[i])), "app-p")), "raw_signature"));
        }
        JsonNode e = ok(send("POST", "/v1/keys/" + kem + "/encapsulate", null, "app-p"));
        byte[] header = java.util.Arrays.copyOf(bytes(e, "encapsulation"), 10);

        List<String> out = Jdk25.runCheck(jdk.get(), dir);

        assertThat(out).contains("verify 0 true", "verify 1 true");
        for (int i = 0; i < 3; i++) {
            byte[] jdkCiphertext = Files.readAllBytes(dir.resolve("kem." + i + ".ct"));
            byte[] envelope = ByteBuffer.allocate(10 + jdkCiphertext.length).put(header).put(jdkCiphertext).array();
            JsonNode d = ok(send("POST", "/v1/keys/" + kem + "/decapsulate", body("encapsulation", b64(envelope)), "app-p"));
            assertThat(bytes(d, "shared_secret")).isEqualTo(Files.readAllBytes(dir.resolve("kem." + i + ".key")));
        }
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void wrongContextTamperedCiphertextAndAnotherVersionAreOneGenericErrorOverHttp() {
        String ring = ring(KeyType.AES_256_GCM, KeyType.AES_256_GCM.operations());
        String base = "/v1/keys/" + ring;
        JsonNode c = ok(send("POST", base + "/encrypt", body("plaintext", b64(new byte[] {7, 7, 7}), "context",
                Map.of("k", "v")), "app-p"));
        ok(send("POST", base + "/rotate", null, "admin-p"));
        byte[] ct = bytes(c, "ciphertext");
        byte[] tampered = ct.clone();
        tampered[tampered.length - 3] ^= 4;
        byte[] otherVersion = ct.clone();
        otherVersion[9] = 2;
        List<Object> refused = List.of(
                body("ciphertext", b64(ct), "context", Map.of("k", "w")),
                body("ciphertext", b64(ct)),
                body("ciphertext", b64(tampered), "context", Map.of("k", "v")),
                body("ciphertext", b64(otherVersion), "context", Map.of("k", "v")));
        for (Object b : refused) {
            Answer a = send("POST", base + "/decrypt", b, "app-p");
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.body().path("error").asText()).isEqualTo("decryption_failed");
            assertThat(a.body().path("message").asText()).isEqualTo("ciphertext could not be decrypted");
        }
        ok(send("POST", base + "/decrypt", body("ciphertext", b64(ct), "context", Map.of("k", "v")), "app-p"));
        // below the minimum decryption version: the same answer
        keys.setMinDecryptionVersion(ring, 2, "test-setup");
        Answer belowMin = send("POST", base + "/decrypt", body("ciphertext", b64(ct), "context", Map.of("k", "v")), "app-p");
        assertThat(belowMin.status()).isEqualTo(400);
        assertThat(belowMin.body().path("message").asText()).isEqualTo("ciphertext could not be decrypted");
    }

    @Test
    void misspeltFieldsBadBase64AndAnOperationTheTypeLacksAreRefusedByName() {
        String ring = ring(KeyType.AES_256_GCM, KeyType.AES_256_GCM.operations());
        Answer typo = send("POST", "/v1/keys/" + ring + "/encrypt", body("plaintext", "AQ==", "contxt",
                Map.of("a", "b")), "app-p");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.body().path("message").asText()).isEqualTo("unknown field 'contxt' (expected: plaintext, context)");
        Answer badB64 = send("POST", "/v1/keys/" + ring + "/encrypt", body("plaintext", "not base64!"), "app-p");
        assertThat(badB64.status()).isEqualTo(400);
        Answer badContext = send("POST", "/v1/keys/" + ring + "/encrypt", body("plaintext", "AQ==", "context",
                Map.of("n", 1)), "app-p");
        assertThat(badContext.status()).isEqualTo(400);
        Answer badType = send("POST", "/v1/keys", body("name", "x-" + RINGS.incrementAndGet(), "type", "des"), "admin-p");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.body().path("message").asText()).contains("unknown key type 'des'");

        String ed = ring(KeyType.ED25519, EnumSet.of(KeyOperation.SIGN));
        keys.keyGrants().grant(ed, "app-p", Set.of(KeyOperation.SIGN), "test-setup");
        // an app cannot even ask: encrypt is not grantable on an ed25519 ring, so it has no grant
        assertThat(send("POST", "/v1/keys/" + ed + "/encrypt", body("plaintext", "AQ=="), "app-p").status())
                .isEqualTo(403);
    }

    @Test
    void theAuditLogRecordsEveryCallButNoPlaintextNoKeyAndNoSharedSecret() throws Exception {
        everyKeyTypeRoundTripsOverHttpAndRotationMovesToANewKey(KeyType.AES_256_GCM);
        everyKeyTypeRoundTripsOverHttpAndRotationMovesToANewKey(KeyType.ML_KEM_768);
        assertThat(SECRETS).isNotEmpty();
        assertThat(keys.auditEvents(new AuditQuery(null, "app-p", "api.keys.decrypt", 5))).isNotEmpty();
        StringBuilder all = new StringBuilder();
        try (Connection c = DriverManager.getConnection(store.jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select actor || ' ' || action || ' ' || object || ' ' || details::text "
                        + "from pgseal.audit_log")) {
            while (rs.next()) {
                all.append(rs.getString(1)).append('\n');
            }
        }
        String log = all.toString();
        assertThat(log).contains("api.keys.encrypt", "api.keys.decapsulate");
        assertThat(log).doesNotContain(PLAINTEXT);
        for (String secret : SECRETS) {
            assertThat(log).doesNotContain(secret);
        }
    }

    @Test
    void thePublicKeyServedIsTheOneTheMasterKeyAuthenticatesAndAnAdminCanReadIt() {
        String ring = ring(KeyType.EC_P256, Set.of());
        JsonNode pk = ok(send("GET", "/v1/keys/" + ring + "/public-key", null, "admin-p"));
        assertThat(pk.get("public_key_pem").asText()).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(bytes(pk, "public_key")).isEqualTo(keys.ring(ring).orElseThrow().version(1).orElseThrow().publicKey());
        assertThat(send("GET", "/v1/keys/" + ring + "/public-key?version=0", null, "admin-p").status()).isEqualTo(400);
        assertThat(send("GET", "/v1/keys/" + ring + "/public-key?version=5", null, "admin-p").status()).isEqualTo(409);
        String aes = ring(KeyType.AES_256_GCM, Set.of());
        Answer none = send("GET", "/v1/keys/" + aes + "/public-key", null, "admin-p");
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.body().path("message").asText()).contains("is a aes-256-gcm ring");
        assertThat(plane().publicKey(ring, OptionalInt.empty()).keyVersion()).isEqualTo(1);
    }
}
