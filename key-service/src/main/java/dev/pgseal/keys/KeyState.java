package dev.pgseal.keys;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The lifecycle state of one data-key version, after NIST SP 800-57 part 1 (§5.3) and KMIP's
 * object states. Transitions only go forward:
 *
 * <pre>
 * from \ to     PRE_ACTIVE ACTIVE DEACTIVATED COMPROMISED DESTROYED
 * PRE_ACTIVE        -        yes      yes         yes        yes
 * ACTIVE            -         -       yes         yes         -
 * DEACTIVATED       -         -        -          yes        yes
 * COMPROMISED       -         -        -           -         yes
 * DESTROYED         -         -        -           -          -
 * </pre>
 *
 * An ACTIVE version must be deactivated (by rotation) before it can be destroyed, and nothing comes
 * back from DESTROYED.
 */
public enum KeyState {
    /** Generated, not yet used: neither encrypts nor decrypts. */
    PRE_ACTIVE,
    /** The ring's primary version: encrypts and decrypts. Exactly one per ring. */
    ACTIVE,
    /** Decrypts only (an older version after rotation). */
    DEACTIVATED,
    /** Decrypts only, and is flagged everywhere: data under it should be re-encrypted. */
    COMPROMISED,
    /** Material erased: nothing decrypts under it any more. */
    DESTROYED;

    /** The states this one may move to. */
    public Set<KeyState> successors() {
        return switch (this) {
            case PRE_ACTIVE -> EnumSet.of(ACTIVE, DEACTIVATED, COMPROMISED, DESTROYED);
            case ACTIVE -> EnumSet.of(DEACTIVATED, COMPROMISED);
            case DEACTIVATED -> EnumSet.of(COMPROMISED, DESTROYED);
            case COMPROMISED -> EnumSet.of(DESTROYED);
            case DESTROYED -> EnumSet.noneOf(KeyState.class);
        };
    }

    /** Whether moving from this state to {@code target} is allowed. */
    public boolean canMoveTo(KeyState target) {
        return successors().contains(target);
    }

    /** Whether data under a version in this state may be decrypted. */
    public boolean decrypts() {
        return this == ACTIVE || this == DEACTIVATED || this == COMPROMISED;
    }

    /** The lower-case, dashed name used in output and config: {@code pre-active}, {@code active}, … */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code pre-active}, {@code PRE_ACTIVE}, {@code active}, … */
    public static KeyState parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
