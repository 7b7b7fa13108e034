package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static dev.pgseal.keys.access.Role.OPERATOR;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.MasterKeyStoreException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The master-key endpoints. Master keys never leave the HSM: these list their labels and what each
 * one wraps, and rotate (a new master key in the HSM, every data-key version and TOTP secret
 * re-wrapped under it in one transaction; no data is re-encrypted).
 *
 * <pre>
 * GET  /v1/master-keys              admin operator auditor
 * POST /v1/master-keys/rotate       admin            (dangerous: second factor)
 * </pre>
 */
final class MasterKeyRoutes {

    private final KeyService keys;

    MasterKeyRoutes(KeyService keys) {
        this.keys = keys;
    }

    /** {@code routes} followed by the master-key routes. */
    static List<Route> after(List<Route> routes, KeyService keys) {
        List<Route> all = new ArrayList<>(routes);
        all.addAll(new MasterKeyRoutes(keys).routes());
        return List.copyOf(all);
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/master-keys", "master-keys.list", ADMIN, OPERATOR, AUDITOR).to(this::list),
                Route.of("POST", "/v1/master-keys/rotate", "master-keys.rotate", ADMIN).needsSecondFactor()
                        .to(this::rotate));
    }

    private ApiResponse list(Call call) {
        return ApiResponse.ok(listing());
    }

    private ApiResponse rotate(Call call) {
        String from = keys.currentMasterKeyLabel();
        String to;
        try {
            to = keys.rotateMasterKey(call.actor());
        } catch (MasterKeyStoreException e) {
            // The HSM refused (full, unreachable, read-only): nothing changed, the old key is still current.
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "hsm_unavailable",
                    "the master key could not be rotated, nothing changed: " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", from);
        out.put("to", to);
        out.putAll(listing());
        return ApiResponse.ok(out);
    }

    /**
     * {@code {"current": LABEL, "master_keys": [{"label", "current", "data_key_versions",
     * "totp_secrets"}]}}, by label.
     */
    private Map<String, Object> listing() {
        String current = keys.currentMasterKeyLabel();
        Map<String, Long> versions = keys.masterKeyReferences();
        Map<String, Long> totp = keys.totpEnrollments().masterKeyReferences();
        TreeSet<String> labels = new TreeSet<>(versions.keySet());
        labels.addAll(totp.keySet());
        labels.add(current);
        List<Map<String, Object>> list = new ArrayList<>();
        for (String label : labels) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label);
            m.put("current", label.equals(current));
            m.put("data_key_versions", versions.getOrDefault(label, 0L));
            m.put("totp_secrets", totp.getOrDefault(label, 0L));
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("current", current);
        out.put("master_keys", list);
        return out;
    }
}
