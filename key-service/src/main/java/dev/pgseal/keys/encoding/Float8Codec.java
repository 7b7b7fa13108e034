package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code float8}. Canonical: the IEEE 754 bits, big-endian (the binary format), with {@code -0}
 * folded into {@code 0} and every NaN into the one quiet NaN, because PostgreSQL's float8 equality
 * holds {@code -0 = 0} and {@code NaN = NaN}. (So {@code -0} prints as {@code 0}.) Text input as
 * {@code float8in}: decimal with optional exponent, {@code NaN}, {@code Infinity}, {@code inf},
 * surrounding whitespace; overflow and underflow are 22003. Output as PostgreSQL 12+ with the
 * default {@code extra_float_digits = 1}: the shortest digits that read back to the same double,
 * in fixed notation for decimal exponents -4 to 14 and {@code 1.5e+20} style otherwise.
 */
final class Float8Codec extends TypedCodec {

    private static final String PG_NAME = "double precision";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    Float8Codec(LogicalType type) {
        super(type);
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        String s = CanonicalCodecs.trim(text);
        double d;
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan", "+nan", "-nan" -> d = Double.NaN;
            case "infinity", "+infinity", "inf", "+inf" -> d = Double.POSITIVE_INFINITY;
            case "-infinity", "-inf" -> d = Double.NEGATIVE_INFINITY;
            default -> {
                if (!NUMBER.matcher(s).matches()) {
                    throw InvalidValueException.syntax(PG_NAME);
                }
                d = Double.parseDouble(s);
                if (Double.isInfinite(d) || (d == 0 && hasNonZeroDigit(s))) {
                    throw new InvalidValueException(InvalidValueException.NUMERIC_VALUE_OUT_OF_RANGE,
                            "value is out of range for type " + PG_NAME);
                }
            }
        }
        return encode(d);
    }

    private static boolean hasNonZeroDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'e' || c == 'E') {
                return false;
            }
            if (c >= '1' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    private static byte[] encode(double d) {
        double v = d == 0 ? 0.0 : d; // -0.0 == 0 is true: folds the sign of zero
        long bits = Double.isNaN(v) ? 0x7ff8000000000000L : Double.doubleToRawLongBits(v);
        return CanonicalCodecs.longBytes(bits, 8);
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length != 8) {
            throw InvalidValueException.binary(PG_NAME);
        }
        return encode(Double.longBitsToDouble(CanonicalCodecs.readLong(value, 0, 8)));
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        double d = value(canonical);
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return "0";
        }
        BigDecimal shortest = shortest(d);
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 15) {
            return sign + shortest.abs().toPlainString();
        }
        StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        int abs = Math.abs(exponent);
        return sb.append('e').append(exponent < 0 ? '-' : '+').append(abs < 10 ? "0" : "").append(abs).toString();
    }

    /**
     * The shortest decimal strictly inside {@code d}'s rounding interval (PostgreSQL's Ryu does not
     * take a decimal that lies exactly on the boundary); the nearest one when several qualify.
     */
    private static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        BigDecimal two = BigDecimal.valueOf(2);
        double below = Math.nextDown(d);
        double above = Math.nextUp(d);
        // At +-MAX_VALUE one neighbour is infinite: mirror the other half-gap.
        BigDecimal halfGapBelow = Double.isInfinite(below) ? null : exact.subtract(new BigDecimal(below)).divide(two);
        BigDecimal halfGapAbove = Double.isInfinite(above) ? null : new BigDecimal(above).subtract(exact).divide(two);
        if (halfGapBelow == null) {
            halfGapBelow = halfGapAbove;
        }
        if (halfGapAbove == null) {
            halfGapAbove = halfGapBelow;
        }
        BigDecimal low = exact.subtract(halfGapBelow);
        BigDecimal high = exact.add(halfGapAbove);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.compareTo(low) > 0 && candidate.compareTo(high) < 0) {
                return candidate.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        value(canonical);
        return canonical.clone();
    }

    private double value(byte[] canonical) {
        if (canonical.length != 8) {
            throw CanonicalCodecs.corrupt(type());
        }
        return Double.longBitsToDouble(CanonicalCodecs.readLong(canonical, 0, 8));
    }
}
