package dev.pgseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyStateTest {

    /** The NIST SP 800-57 / KMIP table, written out independently of the enum. */
    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
        "PRE_ACTIVE, PRE_ACTIVE, false", "PRE_ACTIVE, ACTIVE, true", "PRE_ACTIVE, DEACTIVATED, true",
        "PRE_ACTIVE, COMPROMISED, true", "PRE_ACTIVE, DESTROYED, true",
        "ACTIVE, PRE_ACTIVE, false", "ACTIVE, ACTIVE, false", "ACTIVE, DEACTIVATED, true",
        "ACTIVE, COMPROMISED, true", "ACTIVE, DESTROYED, false",
        "DEACTIVATED, PRE_ACTIVE, false", "DEACTIVATED, ACTIVE, false", "DEACTIVATED, DEACTIVATED, false",
        "DEACTIVATED, COMPROMISED, true", "DEACTIVATED, DESTROYED, true",
        "COMPROMISED, PRE_ACTIVE, false", "COMPROMISED, ACTIVE, false", "COMPROMISED, DEACTIVATED, false",
        "COMPROMISED, COMPROMISED, false", "COMPROMISED, DESTROYED, true",
        "DESTROYED, PRE_ACTIVE, false", "DESTROYED, ACTIVE, false", "DESTROYED, DEACTIVATED, false",
        "DESTROYED, COMPROMISED, false", "DESTROYED, DESTROYED, false",
    })
    void transitionsFollowTheLifecycleTable(KeyState from, KeyState to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"PRE_ACTIVE, false", "ACTIVE, true", "DEACTIVATED, true", "COMPROMISED, true", "DESTROYED, false"})
    void onlyActiveDeactivatedAndCompromisedVersionsDecrypt(KeyState state, boolean decrypts) {
        assertThat(state.decrypts()).isEqualTo(decrypts);
    }

    @ParameterizedTest
    @CsvSource({"pre-active, PRE_ACTIVE", "PRE_ACTIVE, PRE_ACTIVE", " Compromised , COMPROMISED"})
    void namesParseInEitherSpelling(String text, KeyState state) {
        assertThat(KeyState.parse(text)).isEqualTo(state);
        assertThat(Set.of(KeyState.parse(state.displayName()))).containsExactly(state);
    }
}
