package dev.pgseal.policy.yaml;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in pgseal's YAML files: a positive whole number and one unit, without
 * spaces: {@code 500ms}, {@code 30s}, {@code 15m} (minutes), {@code 12h}, {@code 90d},
 * {@code 2w}. Zero, negative numbers, fractions, compound forms ({@code 1h30m}) and months or
 * years (whose length varies) are not accepted.
 */
public final class DurationText {

    /** A description of the accepted forms, for error messages. */
    public static final String FORMS = "a positive whole number followed by ms, s, m (minutes), h, d or w, e.g. 90d";

    private static final Pattern SHAPE = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d|w)");

    private DurationText() {
    }

    /** The duration {@code text} denotes, or empty when it is not one of the accepted forms. */
    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = SHAPE.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
            return Optional.empty();
        }
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        });
    }

    /** The shortest text in the accepted forms that denotes {@code d} (whole milliseconds). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
        String[] units = {"w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
