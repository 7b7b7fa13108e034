package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * {@code date}. Canonical: the binary format, int32 days since 2000-01-01 ({@code infinity} and
 * {@code -infinity} are the int32 extremes). Text input: see {@link DateTimeText} (a time part is
 * accepted and ignored, as PostgreSQL does). Output: ISO {@code YYYY-MM-DD}, {@code BC} suffix.
 */
final class DateCodec extends TypedCodec {

    private static final String PG_NAME = "date";
    private static final long EPOCH_DAY_2000 = LocalDate.of(2000, 1, 1).toEpochDay();
    private static final long MIN_DAYS = -2_451_545L;                 // Julian day 0, 4714-11-24 BC
    private static final long END_DAYS = 2_147_483_494L - 2_451_545L; // PostgreSQL's DATE_END_JULIAN

    DateCodec(LogicalType type) {
        super(type);
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        DateTimeText.Parsed p = DateTimeText.parse(text, PG_NAME);
        if (!p.isFinite()) {
            return CanonicalCodecs.longBytes(p.infinity() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE, 4);
        }
        return encode(p.local().toLocalDate().toEpochDay() - EPOCH_DAY_2000);
    }

    private static byte[] encode(long days) {
        if (days < MIN_DAYS || days >= END_DAYS) {
            throw new InvalidValueException(InvalidValueException.DATETIME_FIELD_OVERFLOW, "date out of range");
        }
        return CanonicalCodecs.longBytes(days, 4);
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length != 4) {
            throw InvalidValueException.binary(PG_NAME);
        }
        long days = CanonicalCodecs.readLong(value, 0, 4);
        return days == Integer.MAX_VALUE || days == Integer.MIN_VALUE ? value.clone() : encode(days);
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        long days = days(canonical);
        if (days == Integer.MAX_VALUE) {
            return "infinity";
        }
        if (days == Integer.MIN_VALUE) {
            return "-infinity";
        }
        LocalDate date = LocalDate.ofEpochDay(days + EPOCH_DAY_2000);
        StringBuilder sb = new StringBuilder(13);
        DateTimeText.appendDate(sb, date);
        return date.getYear() <= 0 ? sb.append(" BC").toString() : sb.toString();
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        days(canonical);
        return canonical.clone();
    }

    private long days(byte[] canonical) {
        if (canonical.length != 4) {
            throw CanonicalCodecs.corrupt(type());
        }
        return CanonicalCodecs.readLong(canonical, 0, 4);
    }
}
