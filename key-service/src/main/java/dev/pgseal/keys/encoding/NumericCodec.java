package dev.pgseal.keys.encoding;

import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.policy.LogicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code numeric}. PostgreSQL keeps a number's display scale ({@code 1.50} prints as {@code 1.50})
 * but its equality ignores it ({@code 1.50 = 1.5}), so there are two encodings:
 * <ul>
 *   <li>tag 0, the <em>equality form</em>: the scale (int32) and the unscaled value (two's
 *       complement) of {@link BigDecimal#stripTrailingZeros()}. Equal numbers have equal bytes, so
 *       deterministic columns use it (and every column did before tag 4 existed); it prints at the
 *       minimal scale ({@code 1.50} reads back as {@code 1.5}).</li>
 *   <li>tag 4, the <em>display form</em>: the scale (int32, the display scale, {@code >= 0}) and the
 *       unscaled value at that scale. Randomized columns use it (their bytes never need to compare
 *       equal), so they read back exactly as PostgreSQL would print them.</li>
 * </ul>
 * Tags 1, 2, 3 are NaN, Infinity, -Infinity in both. Decoding reads every tag, so envelopes written
 * before tag 4 (tag 0 in a randomized column) still decrypt. Text input as PostgreSQL's
 * {@code numeric_in} (sign, digits, point, exponent, NaN/Infinity/inf, surrounding whitespace; the
 * display scale is the digits after the point less the exponent, at least 0); binary input in the
 * numeric send format (ndigits, weight, sign, dscale, base-10000 digits; digits beyond dscale are
 * truncated, as {@code numeric_recv} does).
 */
final class NumericCodec extends TypedCodec {

    private static final String PG_NAME = "numeric";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final int MAX_EXPONENT = 1000;          // numeric_in refuses larger exponents
    private static final int MAX_INTEGER_DIGITS = 131072;  // PostgreSQL's numeric limits
    private static final int MAX_SCALE = 16383;
    private static final byte FINITE = 0;
    private static final byte NAN = 1;
    private static final byte POSITIVE_INFINITY = 2;
    private static final byte NEGATIVE_INFINITY = 3;
    private static final byte FINITE_AT_DISPLAY_SCALE = 4;
    private static final int DSCALE_MASK = 0x3FFF;          // NUMERIC_DSCALE_MASK
    private static final int SIGN_POSITIVE = 0x0000;
    private static final int SIGN_NEGATIVE = 0x4000;
    private static final int SIGN_NAN = 0xC000;
    private static final int SIGN_PINF = 0xD000;
    private static final int SIGN_NINF = 0xF000;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);


    private final boolean keepDisplayScale;

    /**
     * @param keepDisplayScale whether to encode the display form (tag 4) rather than the equality
     *     form (tag 0)
     */
    NumericCodec(LogicalType type, boolean keepDisplayScale) {
        super(type);
        this.keepDisplayScale = keepDisplayScale;
    }

    @Override
    public byte[] fromText(String text, ZoneId sessionZone) {
        String s = CanonicalCodecs.trim(text);
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan":
                return new byte[] {NAN};
            case "infinity", "+infinity", "inf", "+inf":
                return new byte[] {POSITIVE_INFINITY};
            case "-infinity", "-inf":
                return new byte[] {NEGATIVE_INFINITY};
            default:
                break;
        }
        if (!NUMBER.matcher(s).matches()) {
            throw InvalidValueException.syntax(PG_NAME);
        }
        int e = Math.max(s.indexOf('e'), s.indexOf('E'));
        if (e >= 0) {
            String exponent = s.substring(e + 1).replaceFirst("^[+-]?0*", "");
            if (exponent.length() > 4 || (!exponent.isEmpty() && Integer.parseInt(exponent) > MAX_EXPONENT)) {
                throw InvalidValueException.syntax(PG_NAME);
            }
        }
        BigDecimal v = new BigDecimal(s);
        return encode(v, Math.max(0, v.scale()));
    }

    @Override
    public byte[] fromBinary(byte[] value) {
        if (value.length < 8) {
            throw InvalidValueException.binary(PG_NAME);
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        int ndigits = in.getShort() & 0xffff;
        int weight = in.getShort();
        int sign = in.getShort() & 0xffff;
        int dscale = in.getShort() & 0xffff;
        if (ndigits > 0x7fff || value.length != 8 + 2 * ndigits || (dscale & DSCALE_MASK) != dscale) {
            throw InvalidValueException.binary(PG_NAME);
        }
        switch (sign) {
            case SIGN_NAN:
                return new byte[] {NAN};
            case SIGN_PINF:
                return new byte[] {POSITIVE_INFINITY};
            case SIGN_NINF:
                return new byte[] {NEGATIVE_INFINITY};
            case SIGN_POSITIVE, SIGN_NEGATIVE:
                break;
            default:
                throw InvalidValueException.binary(PG_NAME);
        }
        BigInteger unscaled = BigInteger.ZERO;
        for (int i = 0; i < ndigits; i++) {
            int digit = in.getShort();
            if (digit < 0 || digit >= 10_000) {
                throw InvalidValueException.binary(PG_NAME);
            }
            unscaled = unscaled.multiply(TEN_THOUSAND).add(BigInteger.valueOf(digit));
        }
        // The last digit has weight (weight - ndigits + 1), in powers of 10000.
        BigDecimal v = new BigDecimal(unscaled, -4 * (weight - ndigits + 1));
        // numeric_recv: digits the display scale would hide are truncated away
        if (v.scale() > dscale) {
            v = v.setScale(dscale, RoundingMode.DOWN);
        }
        return encode(sign == SIGN_NEGATIVE ? v.negate() : v, dscale);
    }

    private byte[] encode(BigDecimal value, int displayScale) {
        BigDecimal v = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        if (v.precision() - v.scale() > MAX_INTEGER_DIGITS || v.scale() > MAX_SCALE || displayScale > MAX_SCALE) {
            throw new InvalidValueException(InvalidValueException.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        }
        byte tag = FINITE;
        if (keepDisplayScale) {
            // displayScale >= the stripped scale here, so this only appends zeros
            v = v.setScale(Math.max(displayScale, Math.max(0, v.scale())));
            tag = FINITE_AT_DISPLAY_SCALE;
        }
        byte[] unscaled = v.unscaledValue().toByteArray();
        ByteBuffer out = ByteBuffer.allocate(5 + unscaled.length);
        out.put(tag).putInt(v.scale()).put(unscaled);
        return out.array();
    }

    /** The finite value of a canonical encoding, or {@code null} for NaN and the infinities. */
    private BigDecimal decode(byte[] canonical) {
        if (canonical.length == 1 && canonical[0] >= NAN && canonical[0] <= NEGATIVE_INFINITY) {
            return null;
        }
        if (canonical.length < 6 || canonical[0] != FINITE && canonical[0] != FINITE_AT_DISPLAY_SCALE) {
            throw CanonicalCodecs.corrupt(type());
        }
        ByteBuffer in = ByteBuffer.wrap(canonical, 1, canonical.length - 1);
        int scale = in.getInt();
        if (canonical[0] == FINITE_AT_DISPLAY_SCALE && (scale < 0 || scale > MAX_SCALE)) {
            throw CanonicalCodecs.corrupt(type());
        }
        byte[] unscaled = new byte[canonical.length - 5];
        in.get(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }

    @Override
    public String toText(byte[] canonical, ZoneId sessionZone) {
        BigDecimal v = decode(canonical);
        if (v == null) {
            return switch (canonical[0]) {
                case NAN -> "NaN";
                case POSITIVE_INFINITY -> "Infinity";
                default -> "-Infinity";
            };
        }
        return v.setScale(Math.max(0, v.scale())).toPlainString();
    }

    @Override
    public byte[] toBinary(byte[] canonical) {
        BigDecimal v = decode(canonical);
        if (v == null) {
            int sign = switch (canonical[0]) {
                case NAN -> SIGN_NAN;
                case POSITIVE_INFINITY -> SIGN_PINF;
                default -> SIGN_NINF;
            };
            return ByteBuffer.allocate(8).putShort((short) 0).putShort((short) 0).putShort((short) sign).putShort((short) 0).array();
        }
        int dscale = Math.max(0, v.scale());
        int groupScale = (dscale + 3) / 4 * 4;
        BigInteger u = v.abs().setScale(groupScale).unscaledValue();
        // Base-10000 digits of u, most significant first; the last has weight -groupScale/4.
        String decimal = u.toString();
        int groups = (decimal.length() + 3) / 4;
        int[] digits = new int[groups];
        int end = decimal.length();
        for (int g = groups - 1; g >= 0; g--) {
            int start = Math.max(0, end - 4);
            digits[g] = Integer.parseInt(decimal.substring(start, end));
            end = start;
        }
        int weight = groups - 1 - groupScale / 4;
        int first = 0;
        while (first < groups && digits[first] == 0) {
            first++;
            weight--;
        }
        int last = groups;
        while (last > first && digits[last - 1] == 0) {
            last--;
        }
        int n = last - first;
        if (n == 0) {
            weight = 0;
        }
        ByteBuffer out = ByteBuffer.allocate(8 + 2 * n);
        out.putShort((short) n).putShort((short) weight)
                .putShort((short) (v.signum() < 0 ? SIGN_NEGATIVE : SIGN_POSITIVE)).putShort((short) dscale);
        for (int i = first; i < last; i++) {
            out.putShort((short) digits[i]);
        }
        return out.array();
    }
}
