package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and prints dates and timestamps in PostgreSQL's ISO form. Input accepted: {@code
 * YYYY-MM-DD}, optionally followed by a time {@code HH:MM[:SS[.fraction]]} (after a space or
 * {@code T}), a zone ({@code Z}, {@code +HH}, {@code +HH:MM}, {@code +HHMM}, {@code +HH:MM:SS}, or
 * after a space a zone name such as {@code UTC} or {@code Europe/Paris}) and an era
 * ({@code BC}/{@code AD}); and the special values {@code infinity}, {@code -infinity} and
 * {@code epoch}. Fractions beyond microseconds round half-even. Other DateStyle orders (MDY/DMY),
 * month names and {@code now}/{@code today} are refused (22007): their meaning depends on the
 * session or the clock.
 */
final class DateTimeText {

    /** Microseconds between 1970-01-01 and 2000-01-01, PostgreSQL's epoch. */
    static final long PG_EPOCH_SECONDS = 946_684_800L;

    private static final Pattern SHAPE = Pattern.compile(
            "(\\d{4,})-(\\d{1,2})-(\\d{1,2})"
                    + "(?:(?:[ ]+|[Tt])(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d*))?)?)?"
                    + "(?:[ ]*([Zz]|[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?)|[ ]+([A-Za-z][A-Za-z0-9_/+-]*))?"
                    + "(?:[ ]+([Bb][Cc]|[Aa][Dd]))?");

    /** A parsed value: a finite local date-time with an optional explicit zone, or an infinity. */
    record Parsed(LocalDateTime local, ZoneId zone, int infinity) {
        boolean isFinite() {
            return infinity == 0;
        }
    }

    private DateTimeText() {
    }

    static Parsed parse(String text, String pgName) {
        String s = CanonicalCodecs.trim(text);
        switch (s.toLowerCase(Locale.ROOT)) {
            case "infinity":
                return new Parsed(null, null, 1);
            case "-infinity":
                return new Parsed(null, null, -1);
            case "epoch":
                return new Parsed(LocalDateTime.of(1970, 1, 1, 0, 0), ZoneOffset.UTC, 0);
            case "now", "today", "tomorrow", "yesterday", "allballs":
                throw new InvalidValueException(InvalidValueException.INVALID_DATETIME_FORMAT,
                        "special date/time values that depend on the clock are not supported for type " + pgName
                                + " on protected columns");
            default:
                break;
        }
        Matcher m = SHAPE.matcher(s);
        if (!m.matches()) {
            throw syntax(pgName);
        }
        try {
            int year = Integer.parseInt(m.group(1));
            if (year == 0) {
                throw fieldOverflow(pgName);
            }
            String zoneName = m.group(9);
            String era = m.group(10);
            if (era == null && zoneName != null && (zoneName.equalsIgnoreCase("bc") || zoneName.equalsIgnoreCase("ad"))) {
                era = zoneName; // "2024-01-02 BC": the era, not a zone
                zoneName = null;
            }
            if (era != null && era.equalsIgnoreCase("bc")) {
                year = 1 - year; // 1 BC is proleptic year 0
            }
            LocalDate date = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            LocalDateTime local = date.atStartOfDay();
            if (m.group(4) != null) {
                int hour = Integer.parseInt(m.group(4));
                int minute = Integer.parseInt(m.group(5));
                int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
                long micros = fractionMicros(m.group(7));
                if (hour > 24 || minute > 59 || second > 60
                        || (hour == 24 && (minute != 0 || second != 0 || micros != 0))) {
                    throw fieldOverflow(pgName);
                }
                // PostgreSQL reads 24:00:00 as the next midnight and :60 as the next minute.
                local = local.plusHours(hour).plusMinutes(minute).plusSeconds(second).plusNanos(micros * 1000);
            }
            ZoneId zone = null;
            if (m.group(8) != null) {
                zone = offset(m.group(8), pgName);
            } else if (zoneName != null) {
                zone = zoneNamed(zoneName);
            }
            return new Parsed(local, zone, 0);
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            throw fieldOverflow(pgName);
        }
    }

    private static long fractionMicros(String fraction) {
        if (fraction == null || fraction.isEmpty()) {
            return 0;
        }
        return new BigDecimal("0." + fraction).setScale(6, RoundingMode.HALF_EVEN).unscaledValue().longValueExact();
    }

    private static ZoneOffset offset(String z, String pgName) {
        if (z.equalsIgnoreCase("z")) {
            return ZoneOffset.UTC;
        }
        int sign = z.charAt(0) == '-' ? -1 : 1;
        String digits = z.substring(1).replace(":", "");
        int hours;
        int minutes = 0;
        int seconds = 0;
        if (digits.length() <= 2) {
            hours = Integer.parseInt(digits);
        } else {
            hours = Integer.parseInt(digits.substring(0, digits.length() - (digits.length() > 4 ? 4 : 2)));
            String rest = digits.substring(digits.length() - (digits.length() > 4 ? 4 : 2));
            minutes = Integer.parseInt(rest.substring(0, 2));
            if (rest.length() == 4) {
                seconds = Integer.parseInt(rest.substring(2));
            }
        }
        if (hours > 15 || minutes > 59 || seconds > 59) {
            throw new InvalidValueException(InvalidValueException.DATETIME_FIELD_OVERFLOW,
                    "time zone displacement out of range for type " + pgName);
        }
        return ZoneOffset.ofTotalSeconds(sign * (hours * 3600 + minutes * 60 + seconds));
    }

    private static ZoneId zoneNamed(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.equals("UTC") || upper.equals("GMT") || upper.equals("UT") || upper.equals("Z") || upper.equals("ZULU")) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new InvalidValueException(InvalidValueException.INVALID_PARAMETER_VALUE,
                    "time zone not recognized in a date/time value");
        }
    }

    /** {@code YYYY-MM-DD}, with {@code BC} appended by the caller for years before 1. */
    static void appendDate(StringBuilder sb, LocalDate date) {
        int year = date.getYear() > 0 ? date.getYear() : 1 - date.getYear();
        appendPadded(sb, year, 4).append('-');
        appendPadded(sb, date.getMonthValue(), 2).append('-');
        appendPadded(sb, date.getDayOfMonth(), 2);
    }

    /** {@code HH:MM:SS[.ffffff]} with trailing zeros of the fraction removed. */
    static void appendTime(StringBuilder sb, LocalDateTime t) {
        appendPadded(sb, t.getHour(), 2).append(':');
        appendPadded(sb, t.getMinute(), 2).append(':');
        appendPadded(sb, t.getSecond(), 2);
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            String f = String.format(Locale.ROOT, "%06d", micros);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
    }

    /** PostgreSQL's offset form: {@code +HH}, {@code +HH:MM} or {@code +HH:MM:SS}. */
    static void appendOffset(StringBuilder sb, ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        sb.append(total < 0 ? '-' : '+');
        total = Math.abs(total);
        appendPadded(sb, total / 3600, 2);
        if (total % 3600 != 0) {
            sb.append(':');
            appendPadded(sb, total / 60 % 60, 2);
            if (total % 60 != 0) {
                sb.append(':');
                appendPadded(sb, total % 60, 2);
            }
        }
    }

    private static StringBuilder appendPadded(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    static InvalidValueException syntax(String pgName) {
        return new InvalidValueException(InvalidValueException.INVALID_DATETIME_FORMAT,
                "invalid input syntax for type " + pgName);
    }

    static InvalidValueException fieldOverflow(String pgName) {
        return new InvalidValueException(InvalidValueException.DATETIME_FIELD_OVERFLOW,
                "date/time field value out of range for type " + pgName);
    }
}
