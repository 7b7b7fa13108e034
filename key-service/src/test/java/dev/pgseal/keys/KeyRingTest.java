package dev.pgseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRingTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final WrappedKey W = new WrappedKey("mk", new byte[61]);

    private static KeyVersion v(int n, KeyState state) {
        return new KeyVersion(n, state, state == KeyState.DESTROYED ? null : W, T, null, null, null, null, null, 0);
    }

    private static KeyRing ring(int minDecryption, KeyVersion... versions) {
        return new KeyRing(1, "r", T, null, minDecryption, null, null, List.of(versions));
    }

    @Test
    void aRingWithOneActiveVersionAndSaneMinimumIsValid() {
        assertThat(ring(1, v(1, KeyState.DEACTIVATED), v(2, KeyState.ACTIVE)).checkInvariants().primaryVersion())
                .isEqualTo(2);
    }

    @Test
    void invariantsNameTheBrokenRule() {
        assertThatThrownBy(() -> ring(1, v(1, KeyState.ACTIVE), v(2, KeyState.ACTIVE)).checkInvariants())
                .hasMessage("key ring r: it must have exactly one active (primary) version, not 2");
        assertThatThrownBy(() -> ring(1, v(1, KeyState.DEACTIVATED)).checkInvariants())
                .hasMessage("key ring r: it must have exactly one active (primary) version, not 0");
        assertThatThrownBy(() -> ring(3, v(1, KeyState.DEACTIVATED), v(2, KeyState.ACTIVE)).checkInvariants())
                .hasMessage("key ring r: min decryption version 3 is not in 1..2");
        assertThatThrownBy(() -> ring(0, v(1, KeyState.ACTIVE)).checkInvariants())
                .hasMessage("key ring r: min decryption version 0 is not in 1..1");
        assertThatThrownBy(() -> ring(2, v(1, KeyState.ACTIVE), v(2, KeyState.PRE_ACTIVE)).checkInvariants())
                .hasMessage("key ring r: the primary version 1 is below the min decryption version 2");
        assertThatThrownBy(() -> ring(1, v(1, KeyState.ACTIVE), v(3, KeyState.PRE_ACTIVE)).checkInvariants())
                .hasMessage("key ring r: versions are not numbered 1..2");
        KeyVersion destroyedWithMaterial = new KeyVersion(1, KeyState.DESTROYED, W, T, null, null, null, T, null, 0);
        assertThatThrownBy(() -> ring(1, destroyedWithMaterial, v(2, KeyState.ACTIVE)).checkInvariants())
                .hasMessage("key ring r: version 1 is destroyed but still has material");
    }

    @Test
    void activatingMovesThePrimaryAndDeactivatesTheOldOne() {
        KeyRing next = ring(1, v(1, KeyState.ACTIVE), v(2, KeyState.PRE_ACTIVE)).transition(2, KeyState.ACTIVE, T);
        assertThat(next.checkInvariants().primaryVersion()).isEqualTo(2);
        assertThat(next.require(1).state()).isEqualTo(KeyState.DEACTIVATED);
        assertThat(next.require(1).deactivatedAt()).isEqualTo(T);
    }

    @Test
    void destroyingErasesMaterialAndNothingComesBack() {
        KeyRing r = ring(1, v(1, KeyState.DEACTIVATED), v(2, KeyState.ACTIVE)).transition(1, KeyState.DESTROYED, T);
        assertThat(r.require(1).wrapped()).isNull();
        assertThat(r.require(1).destroyedAt()).isEqualTo(T);
        assertThatThrownBy(() -> r.transition(1, KeyState.DEACTIVATED, T))
                .isInstanceOf(KeyLifecycleException.class)
                .hasMessage("key ring r version 1: cannot go from destroyed to deactivated (allowed: none)");
    }

    @Test
    void aDeletedRingHasEveryVersionDestroyedAndNoPrimary() {
        KeyRing deleted = ring(1, v(1, KeyState.DEACTIVATED), v(2, KeyState.ACTIVE)).deleted(T).checkInvariants();
        assertThat(deleted.primary()).isEmpty();
        assertThat(deleted.versions()).allSatisfy(x -> assertThat(x.wrapped()).isNull());
    }
}
