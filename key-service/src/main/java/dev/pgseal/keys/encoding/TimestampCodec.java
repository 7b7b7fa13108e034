package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * {@code timestamp} and {@code timestamptz}. Canonical: the binary format, int64 microseconds since
 * 2000-01-01 00:00:00 ({@code timestamptz}: UTC; {@code infinity} / {@code -infinity} are the int64
 * extremes). Text input: see {@link DateTimeText}; for {@code timestamp} an explicit zone is
 * ignored, as PostgreSQL does; for {@code timestamptz} a value without one is read in the session's
 * zone (a local time in a DST gap moves forward by the gap). Output: ISO
 * {@code YYYY-MM-DD HH:MM:SS[.ffffff]}, and for {@code timestamptz} the value shown in the
 * session's zone followed by its offset ({@code +02}, {@code +05:30}).
 */
final class TimestampCodec extends TypedCodec {

    private static final long MIN_MICROS = -211_813_488_000_000_000L;   // 4714-11-24 00:00:00 BC
    private static final long END_MICROS = 9_223_371_331_200_000_000L;  // 294277-01-01 00:00:00
    private final boolean withZone;
    private final String pgName;

    TimestampCodec(LogicalType type, boolean withZone) {
        super(type);
        this.withZone = withZone;
        this.pgName = withZone ? "timestamp with time zone" : "timestamp without time zone";
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        DateTimeText.Parsed p = DateTimeText.parse(text, pgName);
        if (!p.isFinite()) {
            return CanonicalCodecs.longBytes(p.infinity() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE, 8);
        }
        long seconds;
        if (withZone) {
            ZoneId zone = p.zone() != null ? p.zone() : sessionZone == null ? ZoneOffset.UTC : sessionZone;
            seconds = ZonedDateTime.of(p.local(), zone).toEpochSecond();
        } else {
            seconds = p.local().toEpochSecond(ZoneOffset.UTC);
        }
        long micros;
        try {
            micros = Math.addExact(Math.multiplyExact(seconds - DateTimeText.PG_EPOCH_SECONDS, 1_000_000L),
                    p.local().getNano() / 1000);
        } catch (ArithmeticException e) {
            throw outOfRange();
        }
        return encode(micros);
    }

    private InvalidValueException outOfRange() {
        return new InvalidValueException(InvalidValueException.DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    }

    private byte[] encode(long micros) {
        if (micros < MIN_MICROS || micros >= END_MICROS) {
            throw outOfRange();
        }
        return CanonicalCodecs.longBytes(micros, 8);
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length != 8) {
            throw InvalidValueException.binary(pgName);
        }
        long micros = CanonicalCodecs.readLong(value, 0, 8);
        return micros == Long.MAX_VALUE || micros == Long.MIN_VALUE ? value.clone() : encode(micros);
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        long micros = micros(canonical);
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        long seconds = Math.floorDiv(micros, 1_000_000L) + DateTimeText.PG_EPOCH_SECONDS;
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
        StringBuilder sb = new StringBuilder(32);
        LocalDateTime local;
        if (withZone) {
            ZonedDateTime z = Instant.ofEpochSecond(seconds, nanos).atZone(sessionZone == null ? ZoneOffset.UTC : sessionZone);
            local = z.toLocalDateTime();
            DateTimeText.appendDate(sb, local.toLocalDate());
            DateTimeText.appendTime(sb.append(' '), local);
            DateTimeText.appendOffset(sb, z.getOffset());
        } else {
            local = LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
            DateTimeText.appendDate(sb, local.toLocalDate());
            DateTimeText.appendTime(sb.append(' '), local);
        }
        return local.getYear() <= 0 ? sb.append(" BC").toString() : sb.toString();
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        micros(canonical);
        return canonical.clone();
    }

    private long micros(byte[] canonical) {
        if (canonical.length != 8) {
            throw CanonicalCodecs.corrupt(type());
        }
        return CanonicalCodecs.readLong(canonical, 0, 8);
    }
}
