package dev.pgseal.keys.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeyServiceHealth;
import dev.pgseal.keys.KeyUnavailableException;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The token goes away while the server runs: we log the PKCS#11 session out under the service
 * on its own token (the token then refuses every use of the master key, CKR_OBJECT_HANDLE_INVALID, as after an HSM
 * restart), which a running SoftHSM2 otherwise cannot be made to do (deleting its files does not
 * affect keys it already loaded).
 */
class TokenLostIT {

    @Test
    void cachedKeysKeepServingWhileMissesFailNamingRingAndVersionAndHealthReportsIt() throws Exception {
        Pkcs11MasterKeyStore hsm = (Pkcs11MasterKeyStore) MasterKeyStore.open(
                SoftHsmToken.isolated().keystoreSettings("mk-lost"));
        try (KeyService service = KeyService.open(hsm, TestStores.freshStore("kms_lost"), Clock.systemUTC(),
                KeyCacheSettings.DEFAULT)) {
            KeyRing ring = service.createRing("r", null, "admin");
            service.rotate("r", "admin");
            DataKey cached = service.encryptionKey("r");
            assertThat(service.health().up()).isTrue();

            hsm.provider().logout();

            assertThat(service.encryptionKey("r")).isSameAs(cached);
            long failedBefore = service.cacheStats().failedUnwraps();
            assertThatThrownBy(() -> service.decryptionKey(ring.id(), 1))
                    .isInstanceOf(KeyUnavailableException.class)
                    .hasMessageStartingWith("key ring r version 1 cannot be unwrapped: failed to unwrap under master key "
                            + "'mk-lost' on PKCS#11 token '")
                    .hasMessageContaining("CKR_");
            assertThat(service.cacheStats().failedUnwraps()).isEqualTo(failedBefore + 1);
            KeyServiceHealth health = service.health();
            assertThat(health.up()).isFalse();
            assertThat(health.masterKeys().detail()).contains("failed to wrap");
            assertThat(health.store().up()).isTrue();
        }
    }
}
