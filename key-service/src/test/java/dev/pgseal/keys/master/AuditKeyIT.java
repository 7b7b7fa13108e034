package dev.pgseal.keys.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.MasterKeyStoreException;
import dev.pgseal.keys.audit.AuditMac;
import dev.pgseal.testing.hsm.SoftHsmToken;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The audit key on a SoftHSM2 token: generated there, sensitive, never extractable, found again by label. */
class AuditKeyIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final AtomicInteger LABELS = new AtomicInteger();

    @Test
    void theAuditKeyIsAnUnextractableTokenHmacKeyThatGivesTheSameTagsAfterAReopen() throws Exception {
        String label = "audit-key-it-" + LABELS.incrementAndGet();
        byte[] data = "link".getBytes(StandardCharsets.UTF_8);
        byte[] tag;
        try (Pkcs11MasterKeyStore store = (Pkcs11MasterKeyStore) MasterKeyStore.open(TOKEN.keystoreSettings("mk-a1"))) {
            assertThatThrownBy(() -> store.auditMac(label, false)).isInstanceOf(MasterKeyStoreException.class)
                    .hasMessageContaining("no audit key labelled '" + label + "'");
            AuditMac mac = store.auditMac(label, true);
            tag = mac.computeMac(data);
            assertThat(tag).hasSize(AuditMac.TAG_BYTES);
            assertThat(mac.verifyMac(tag, data)).isTrue();
            assertThat(mac.verifyMac(tag, "lin".getBytes(StandardCharsets.UTF_8))).isFalse();

            Key key = store.keyObject(label);
            assertThat(key.getEncoded()).as("no key bytes leave the token").isNull();
            assertThat(key.toString()).contains("token object", "sensitive", "unextractable")
                    .doesNotContain("not sensitive");
            assertThatThrownBy(() -> SecretKeyFactory.getInstance("HmacSHA256", store.provider())
                    .getKeySpec((javax.crypto.SecretKey) key, SecretKeySpec.class)).isInstanceOf(Exception.class);
        }
        try (MasterKeyStore again = MasterKeyStore.open(TOKEN.keystoreSettings("mk-a1"))) {
            assertThat(again.auditMac(label, false).computeMac(data)).isEqualTo(tag);
        }
    }

    @Test
    void aMasterKeyNeverServesAsTheAuditKeyNorTheAuditKeyAsAMasterKey() {
        try (MasterKeyStore store = MasterKeyStore.open(TOKEN.keystoreSettings("mk-a2"))) {
            assertThatThrownBy(() -> store.auditMac("mk-a2", true)).isInstanceOf(MasterKeyStoreException.class)
                    .hasMessageContaining("is a master key's label");
            assertThatThrownBy(() -> store.auditMac("mk-a2-3", true)).isInstanceOf(MasterKeyStoreException.class)
                    .hasMessageContaining("is a master key's label");
            String label = "audit-key-it-" + LABELS.incrementAndGet();
            store.auditMac(label, true);
            assertThatThrownBy(() -> store.useMasterKey(label)).isInstanceOf(MasterKeyStoreException.class)
                    .hasMessageContaining("is not an AES master key");
        }
    }
}
