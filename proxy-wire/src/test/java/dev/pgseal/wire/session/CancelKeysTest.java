package dev.pgseal.wire.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.protocol.backend.BackendKeyData;
import org.junit.jupiter.api.Test;

class CancelKeysTest {
    private final CancelKeys keys = new CancelKeys();
    private final BackendKeyData real = new BackendKeyData(777, new byte[] {9, 8, 7, 6});

    @Test
    void anIssuedKeyKeepsTheProcessIdResolvesToTheRealKeyAndRevealsNotItsSecret() {
        BackendKeyData issued = keys.issue(real);
        assertThat(issued.processId()).isEqualTo(777);
        assertThat(issued.secret()).isNotEqualTo(real.secret());
        assertThat(issued.secretLength()).isEqualTo(4);
        BackendKeyData resolved = keys.resolve(issued.processId(), issued.secret()).orElseThrow();
        assertThat(resolved.processId()).isEqualTo(777);
        assertThat(resolved.secret()).containsExactly(9, 8, 7, 6);
    }

    @Test
    void aWrongSecretOrUnknownProcessResolvesToNothing() {
        BackendKeyData issued = keys.issue(real);
        byte[] wrong = issued.secret();
        wrong[3] ^= 1;
        assertThat(keys.resolve(issued.processId(), wrong)).isEmpty();
        assertThat(keys.resolve(issued.processId(), new byte[] {1})).isEmpty();
        assertThat(keys.resolve(777, real.secret())).as("the real secret is not a valid client key").isEmpty();
    }

    @Test
    void aRevokedKeyNoLongerResolves() {
        BackendKeyData issued = keys.issue(real);
        keys.revoke(issued);
        assertThat(keys.resolve(issued.processId(), issued.secret())).isEmpty();
        assertThat(keys.size()).isZero();
    }

    @Test
    void keysOfLongerSecretsKeepTheirLength() {
        BackendKeyData longReal = new BackendKeyData(1, new byte[32]);
        assertThat(keys.issue(longReal).secretLength()).isEqualTo(32);
    }

    @Test
    void revokingAnEndedSessionLeavesTheKeyOfABackendThatReusedItsProcessId() {
        BackendKeyData old = keys.issue(real);
        BackendKeyData reused = keys.issue(new BackendKeyData(777, new byte[] {1, 2, 3, 4}));
        keys.revoke(old);
        assertThat(keys.resolve(777, reused.secret())).isPresent();
    }
}
