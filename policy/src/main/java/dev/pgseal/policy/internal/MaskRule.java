package dev.pgseal.policy.internal;

import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.MaskPattern;
import java.util.Optional;

/**
 * The load-time leak rule for masks. A mask is sent to the client in place of the value, with the
 * column's own type, so only character types can carry it: {@code text}, {@code varchar(n)},
 * {@code char(n)}. For {@code varchar(n)} and {@code char(n)} the pattern may reveal at most half
 * of n characters (so {@code {last4}} needs at least {@code char(8)}). For {@code text} (and
 * {@code varchar} without a length) there is no
 * length to check; {@link MaskPattern#apply(String)} enforces the same half rule on each value.
 */
public final class MaskRule {

    private MaskRule() {
    }

    /** The reason {@code mask} may not be used on {@code type}, or empty when it may. */
    public static Optional<String> check(MaskPattern mask, LogicalType type) {
        return switch (type.kind()) {
            case TEXT -> Optional.empty();
            case VARCHAR, CHAR -> {
                if (type.length().isEmpty()) {
                    yield Optional.empty(); // varchar without a length is unbounded, like text
                }
                int n = type.length().getAsInt();
                int revealed = mask.revealedCharacters();
                yield 2 * revealed <= n ? Optional.empty()
                        : Optional.of("reveals " + revealed + " characters of at most " + n
                                + "; a mask may reveal at most half of the type's length (" + n / 2 + ")");
            }
            default -> Optional.of("is not allowed: only text, varchar(n) and char(n) columns can be masked");
        };
    }
}
