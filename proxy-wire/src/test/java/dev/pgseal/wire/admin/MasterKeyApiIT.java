package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static dev.pgseal.keys.access.Role.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.SecretAccess;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditQuery;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/master-keys} and {@code POST /v1/master-keys/rotate} against a running admin API:
 * the listing counts what each master key wraps, and a rotation re-wraps every data-key version and
 * TOTP secret under the new key, after which data keys still unwrap and codes still verify. Which
 * roles may call them is pinned down with every other endpoint in {@link AdminApiIT}.
 */
class MasterKeyApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static AdminFixture admin;

    @BeforeAll
    static void start() {
        admin = new AdminFixture(dir);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    private static long dataKeyVersions() {
        return admin.keys().listRings().stream().mapToLong(r -> r.versions().stream()
                .filter(v -> v.wrapped() != null).count()).sum();
    }

    @Test
    void theListingNamesTheCurrentKeyAndWhatEachKeyWraps() throws Exception {
        admin.keys().createRing("listed", null, "test-setup");
        JsonNode body = JSON.readTree(admin.send("GET", "/v1/master-keys", null, admin.token(AUDITOR)).body());

        String current = admin.keys().currentMasterKeyLabel();
        assertThat(body.path("current").asText()).isEqualTo(current);
        JsonNode entry = null;
        for (JsonNode m : body.path("master_keys")) {
            if (m.path("label").asText().equals(current)) {
                entry = m;
            }
        }
        assertThat(entry).as(body.toString()).isNotNull();
        assertThat(entry.path("current").asBoolean()).isTrue();
        assertThat(entry.path("data_key_versions").asLong()).isEqualTo(dataKeyVersions());
        assertThat(entry.path("totp_secrets").asLong()).isEqualTo(Role.values().length);
        assertThat(body.toString()).doesNotContain("wrapped_material").doesNotContain("secret\"");
    }

    @Test
    void aRotationRewrapsEveryDataKeyAndTotpSecretUnderTheNewKey() throws Exception {
        KeyRing ring = admin.keys().createRing("rewrapped", null, "test-setup");
        byte[] before = admin.keys().decryptionKey(ring.id(), 1).material().reveal(SecretAccess.INSTANCE).clone();
        String old = admin.keys().currentMasterKeyLabel();

        AdminFixture.Answer a = admin.send("POST", "/v1/master-keys/rotate", null, admin.token(ADMIN), admin.otp(ADMIN));

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(a.body());
        String fresh = body.path("to").asText();
        assertThat(body.path("from").asText()).isEqualTo(old);
        assertThat(fresh).isNotEqualTo(old).isEqualTo(admin.keys().currentMasterKeyLabel());
        assertThat(body.path("current").asText()).isEqualTo(fresh);
        for (JsonNode m : body.path("master_keys")) {
            if (m.path("label").asText().equals(old)) {
                assertThat(m.path("data_key_versions").asLong()).isZero();
                assertThat(m.path("totp_secrets").asLong()).isZero();
                assertThat(m.path("current").asBoolean()).isFalse();
            } else if (m.path("label").asText().equals(fresh)) {
                assertThat(m.path("data_key_versions").asLong()).isEqualTo(dataKeyVersions());
                assertThat(m.path("totp_secrets").asLong()).isEqualTo(Role.values().length);
            }
        }
        AuditQuery.Entry event = admin.keys().auditEvents(new AuditQuery(null, "admin-p", "master_key.rotate", 1)).get(0);
        assertThat(event.details()).containsEntry("from", old).containsEntry("to", fresh)
                .containsEntry("rewrapped_totp_secrets", Role.values().length);

        admin.keys().invalidateCache();
        assertThat(admin.keys().decryptionKey(ring.id(), 1).material().reveal(SecretAccess.INSTANCE)).isEqualTo(before);
        // TOTP secrets unwrap under the new key: the next dangerous call with a fresh code works.
        assertThat(admin.send("POST", "/v1/keys/rewrapped/min-decryption-version", "{\"version\":1}",
                admin.token(ADMIN), admin.otp(ADMIN)).status()).isEqualTo(200);
    }
}
