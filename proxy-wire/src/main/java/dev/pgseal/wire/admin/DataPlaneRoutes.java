package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.APP;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static dev.pgseal.keys.access.Role.OPERATOR;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgseal.keys.DecryptionException;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.kms.DataPlane;
import dev.pgseal.keys.kms.DataPlaneException;
import dev.pgseal.keys.kms.EncryptionContext;
import dev.pgseal.keys.kms.GrantException;
import dev.pgseal.keys.kms.KeyGrants;
import dev.pgseal.keys.kms.KeyOperation;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The KMS data plane over HTTP ({@link DataPlane}), and the grants that open it to app principals.
 *
 * <pre>
 * POST /v1/keys/{name}/encrypt                       app (with a grant)
 * POST /v1/keys/{name}/decrypt                       app (with a grant)
 * POST /v1/keys/{name}/generate-data-key             app (with a grant)
 * POST /v1/keys/{name}/re-encrypt                    app (with a grant)
 * POST /v1/keys/{name}/sign                          app (with a grant)
 * POST /v1/keys/{name}/verify                        app (with a grant)
 * POST /v1/keys/{name}/encapsulate                   app (with a grant)
 * POST /v1/keys/{name}/decapsulate                   app (with a grant)
 * GET  /v1/keys/{name}/public-key                    admin operator auditor, app (with a grant)
 * GET  /v1/keys/{name}/grants                        admin auditor
 * POST /v1/keys/{name}/grants                        admin
 * POST /v1/keys/{name}/grants/{principal}/revoke     admin
 * </pre>
 *
 * Least privilege: administrators hold no data-plane access, and an app principal reaches a ring
 * only through a grant naming the operation (403 otherwise, before anything about the ring is told).
 * Bodies are JSON with base64 (RFC 4648, standard alphabet) for bytes; unknown fields are refused, so
 * a misspelt {@code context} cannot silently encrypt without one. Plaintexts, keys and secrets are in
 * bodies only: the audit event of each call ({@link AdminApi}) records the path, the status and a
 * reason that never holds them. A ciphertext that does not decrypt is a 400 with one generic message.
 */
final class DataPlaneRoutes {

    private final KeyService keys;
    private final DataPlane plane;

    DataPlaneRoutes(KeyService keys) {
        this.keys = keys;
        this.plane = keys == null ? null : new DataPlane(keys);
    }

    /** {@code routes} followed by the data-plane and grant routes. */
    static List<Route> after(List<Route> routes, KeyService keys) {
        List<Route> all = new ArrayList<>(routes);
        all.addAll(new DataPlaneRoutes(keys).routes());
        return List.copyOf(all);
    }

    List<Route> routes() {
        return List.of(
                op("encrypt", KeyOperation.ENCRYPT, this::encrypt),
                op("decrypt", KeyOperation.DECRYPT, this::decrypt),
                op("generate-data-key", KeyOperation.GENERATE_DATA_KEY, this::generateDataKey),
                op("re-encrypt", KeyOperation.RE_ENCRYPT, this::reEncrypt),
                op("sign", KeyOperation.SIGN, this::sign),
                op("verify", KeyOperation.VERIFY, this::verify),
                op("encapsulate", KeyOperation.ENCAPSULATE, this::encapsulate),
                op("decapsulate", KeyOperation.DECAPSULATE, this::decapsulate),
                Route.of("GET", "/v1/keys/{name}/public-key", "keys.public-key", ADMIN, OPERATOR, AUDITOR, APP)
                        .to(this::publicKey),
                Route.of("GET", "/v1/keys/{name}/grants", "grants.list", ADMIN, AUDITOR).to(this::listGrants),
                Route.of("POST", "/v1/keys/{name}/grants", "grants.create", ADMIN).to(this::grant),
                Route.of("POST", "/v1/keys/{name}/grants/{principal}/revoke", "grants.revoke", ADMIN).to(this::revoke));
    }

    private Route op(String path, KeyOperation operation, Function<Call, ApiResponse> handler) {
        return Route.of("POST", "/v1/keys/{name}/" + path, "keys." + path, APP).to(call -> {
            requireGrant(call, operation);
            return dataPlane(() -> handler.apply(call));
        });
    }

    /** An app principal needs a grant of {@code operation} on the ring; other roles pass their route's role check. */
    private void requireGrant(Call call, KeyOperation operation) {
        if (call.principal().role() != Role.APP) {
            return;
        }
        String ring = call.param("name");
        if (!keys.keyGrants().allows(call.principal().name(), ring, operation)) {
            throw new ApiException(HttpResponseStatus.FORBIDDEN, "forbidden", "principal " + call.principal().name()
                    + " has no grant for " + operation.displayName() + " on key ring " + ring);
        }
    }

    // ---------------------------------------------------------------- data plane

    private ApiResponse encrypt(Call call) {
        JsonNode body = body(call, "plaintext", "context");
        byte[] plaintext = bytes(body, "plaintext");
        try {
            DataPlane.Ciphertext c = plane.encrypt(call.param("name"), plaintext, context(body, "context"));
            return ApiResponse.ok(Map.of("ciphertext", b64(c.ciphertext()), "key_version", c.keyVersion()));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private ApiResponse decrypt(Call call) {
        JsonNode body = body(call, "ciphertext", "context");
        DataPlane.Plaintext p = plane.decrypt(call.param("name"), bytes(body, "ciphertext"), context(body, "context"));
        try {
            return ApiResponse.ok(Map.of("plaintext", b64(p.plaintext()), "key_version", p.keyVersion()));
        } finally {
            Arrays.fill(p.plaintext(), (byte) 0);
        }
    }

    private ApiResponse generateDataKey(Call call) {
        JsonNode body = body(call, "context", "include_plaintext");
        JsonNode include = body.get("include_plaintext");
        if (include != null && !include.isBoolean()) {
            throw ApiException.badRequest("'include_plaintext' must be true or false");
        }
        DataPlane.GeneratedDataKey k = plane.generateDataKey(call.param("name"), context(body, "context"),
                include == null || include.asBoolean());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ciphertext", b64(k.ciphertext()));
        if (k.plaintext() != null) {
            out.put("plaintext", b64(k.plaintext()));
            Arrays.fill(k.plaintext(), (byte) 0);
        }
        out.put("key_version", k.keyVersion());
        return ApiResponse.ok(out);
    }

    private ApiResponse reEncrypt(Call call) {
        JsonNode body = body(call, "ciphertext", "context", "new_context");
        EncryptionContext from = context(body, "context");
        EncryptionContext to = body.has("new_context") ? context(body, "new_context") : from;
        DataPlane.ReEncrypted r = plane.reEncrypt(call.param("name"), bytes(body, "ciphertext"), from, to);
        return ApiResponse.ok(Map.of("ciphertext", b64(r.ciphertext()), "key_version", r.keyVersion(),
                "source_key_version", r.sourceKeyVersion()));
    }

    private ApiResponse sign(Call call) {
        JsonNode body = body(call, "message");
        DataPlane.Signature s = plane.sign(call.param("name"), bytes(body, "message"));
        return ApiResponse.ok(Map.of("signature", b64(s.signature()), "raw_signature", b64(s.rawSignature()),
                "key_version", s.keyVersion()));
    }

    private ApiResponse verify(Call call) {
        JsonNode body = body(call, "message", "signature");
        DataPlane.Verification v = plane.verify(call.param("name"), bytes(body, "message"), bytes(body, "signature"));
        return ApiResponse.ok(Map.of("valid", v.valid(), "key_version", v.keyVersion()));
    }

    private ApiResponse encapsulate(Call call) {
        body(call);
        DataPlane.Encapsulation e = plane.encapsulate(call.param("name"));
        try {
            return ApiResponse.ok(Map.of("shared_secret", b64(e.sharedSecret()), "encapsulation", b64(e.encapsulation()),
                    "raw_encapsulation", b64(e.rawEncapsulation()), "key_version", e.keyVersion()));
        } finally {
            Arrays.fill(e.sharedSecret(), (byte) 0);
        }
    }

    private ApiResponse decapsulate(Call call) {
        JsonNode body = body(call, "encapsulation");
        DataPlane.Plaintext p = plane.decapsulate(call.param("name"), bytes(body, "encapsulation"));
        try {
            return ApiResponse.ok(Map.of("shared_secret", b64(p.plaintext()), "key_version", p.keyVersion()));
        } finally {
            Arrays.fill(p.plaintext(), (byte) 0);
        }
    }

    private ApiResponse publicKey(Call call) {
        requireGrant(call, KeyOperation.PUBLIC_KEY);
        String v = call.request().queryParam("version");
        OptionalInt version = OptionalInt.empty();
        if (v != null) {
            try {
                version = OptionalInt.of(Integer.parseInt(v));
            } catch (NumberFormatException e) {
                version = OptionalInt.of(-1);
            }
            if (version.getAsInt() < 1) {
                throw ApiException.badRequest("'version' must be a positive whole number, not '" + v + "'");
            }
        }
        OptionalInt asked = version;
        return dataPlane(() -> {
            DataPlane.PublicKeyInfo k = plane.publicKey(call.param("name"), asked);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ring", call.param("name"));
            out.put("key_type", k.type().displayName());
            out.put("key_version", k.keyVersion());
            out.put("public_key", b64(k.subjectPublicKeyInfo()));
            out.put("public_key_pem", k.pem());
            return ApiResponse.ok(out);
        });
    }

    /** Translates the data plane's refusals to statuses; a failed decryption is a 400 with the one generic message. */
    private static ApiResponse dataPlane(java.util.function.Supplier<ApiResponse> work) {
        try {
            return work.get();
        } catch (DecryptionException e) {
            throw new ApiException(HttpResponseStatus.BAD_REQUEST, "decryption_failed", DecryptionException.GENERIC_MESSAGE);
        } catch (DataPlaneException e) {
            if (e.reason() == DataPlaneException.Reason.INVALID_INPUT) {
                throw ApiException.badRequest(e.getMessage());
            }
            throw ApiException.conflict(e.getMessage());
        } catch (KeyUnavailableException e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- grants

    private ApiResponse listGrants(Call call) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (KeyGrants.Grant g : grants(() -> keys.keyGrants().list(call.param("name")))) {
            out.add(grantJson(g));
        }
        return ApiResponse.ok(Map.of("ring", call.param("name"), "grants", out));
    }

    private ApiResponse grant(Call call) {
        JsonNode body = body(call, "principal", "operations");
        JsonNode p = body.get("principal");
        if (p == null || !p.isTextual() || p.asText().isBlank()) {
            throw ApiException.badRequest("'principal' is required: the name of a principal of role app");
        }
        Set<KeyOperation> ops = EnumSet.noneOf(KeyOperation.class);
        JsonNode o = body.get("operations");
        if (o != null && !o.isNull()) {
            if (!o.isArray() || o.isEmpty()) {
                throw ApiException.badRequest("'operations' must be a non-empty array such as [\"encrypt\", \"decrypt\"]");
            }
            for (JsonNode n : o) {
                try {
                    ops.add(KeyOperation.parse(n.isTextual() ? n.asText() : n.toString()));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(e.getMessage());
                }
            }
        }
        KeyGrants.Grant g = grants(() -> keys.keyGrants().grant(call.param("name"), p.asText(), ops, call.actor()));
        return ApiResponse.json(HttpResponseStatus.CREATED, Map.of("grant", grantJson(g)));
    }

    private ApiResponse revoke(Call call) {
        KeyGrants.Grant g = grants(() -> keys.keyGrants().revoke(call.param("name"), call.param("principal"),
                call.actor()));
        return ApiResponse.ok(Map.of("revoked", grantJson(g)));
    }

    private static <T> T grants(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (GrantException e) {
            throw e.unknownObject() ? ApiException.notFound(e.getMessage()) : ApiException.conflict(e.getMessage());
        }
    }

    private static Map<String, Object> grantJson(KeyGrants.Grant g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ring", g.ring());
        m.put("principal", g.principal());
        m.put("operations", g.operations().stream().sorted().map(KeyOperation::displayName).toList());
        m.put("granted_at", g.grantedAt().toString());
        m.put("granted_by", g.grantedBy());
        return m;
    }

    // ---------------------------------------------------------------- JSON

    /** The body, refusing fields other than {@code allowed}. */
    private static JsonNode body(Call call, String... allowed) {
        JsonNode body = call.request().json();
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw ApiException.badRequest("unknown field '" + f + "'" + (allowed.length == 0 ? " (this call takes none)"
                        : " (expected: " + String.join(", ", allowed) + ")"));
            }
        }
        return body;
    }

    private static byte[] bytes(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("'" + field + "' is required (base64)");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("'" + field + "' must be a base64 string");
        }
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + field + "' is not valid base64 (RFC 4648, standard alphabet, padded)");
        }
    }

    private static EncryptionContext context(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return EncryptionContext.EMPTY;
        }
        if (!v.isObject()) {
            throw ApiException.badRequest("'" + field + "' must be an object of strings, e.g. {\"tenant\": \"acme\"}");
        }
        Map<String, String> pairs = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw ApiException.badRequest("'" + field + "." + e.getKey() + "' must be a string");
            }
            pairs.put(e.getKey(), e.getValue().asText());
        }
        try {
            return EncryptionContext.of(pairs);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
