package dev.pgseal.wire.crypto;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java zone of a session's {@code TimeZone} run-time parameter, as PostgreSQL reports it in
 * ParameterStatus: an IANA name ({@code Europe/Berlin}, {@code Etc/UTC}), {@code UTC}/{@code GMT},
 * or the POSIX form PostgreSQL prints for a numeric offset ({@code <+03>-03} after
 * {@code SET TIME ZONE 3}; POSIX offsets count west, so the sign flips). timestamptz values are read
 * and printed in it, so a zone pgseal cannot name exactly is refused rather than guessed.
 */
public final class SessionZone {

    private static final Pattern POSIX = Pattern.compile("<[^>]*>([+-]?)(\\d{1,2})(?::(\\d{2}))?(?::(\\d{2}))?");

    private SessionZone() {
    }

    /** The zone of {@code timeZone}, or empty when Java has no exact equivalent. */
    public static Optional<ZoneId> parse(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return Optional.empty();
        }
        String tz = timeZone.trim();
        Matcher m = POSIX.matcher(tz);
        if (m.matches()) {
            int seconds = Integer.parseInt(m.group(2)) * 3600
                    + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3)) * 60)
                    + (m.group(4) == null ? 0 : Integer.parseInt(m.group(4)));
            int east = "-".equals(m.group(1)) ? seconds : -seconds;
            try {
                return Optional.of(ZoneOffset.ofTotalSeconds(east));
            } catch (DateTimeException e) {
                return Optional.empty();
            }
        }
        if (tz.equalsIgnoreCase("UTC") || tz.equalsIgnoreCase("GMT") || tz.equalsIgnoreCase("Z")
                || tz.equalsIgnoreCase("Zulu") || tz.equalsIgnoreCase("UCT")) {
            return Optional.of(ZoneOffset.UTC);
        }
        try {
            return Optional.of(ZoneId.of(tz));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
