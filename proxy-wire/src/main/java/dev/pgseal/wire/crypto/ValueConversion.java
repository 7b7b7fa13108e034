package dev.pgseal.wire.crypto;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.InvalidValueException;
import dev.pgseal.keys.WireFormat;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.policy.LogicalType.Kind;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ValueUse;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a value a client sends for a protected column — a Bind parameter in text or binary format
 * with the type the client declared in Parse, or a literal's text — into the canonical encoding of
 * the column's logical type, as PostgreSQL itself would have converted it had the column been of
 * that type.
 *
 * <p>Undeclared parameters ({@code 0}, {@code unknown}) and parameters declared with the column's
 * own type are read with that type's input (text) or receive (binary) function. Other declared
 * types go through the declared type's input or receive function and then PostgreSQL's cast:
 * <ul>
 *   <li>{@link ValueUse#STORE} follows the assignment casts of {@code pg_cast} (int2/int4/int8/
 *       numeric/float8 among themselves, rounding and range-checking as PostgreSQL does;
 *       date/timestamp/timestamptz among themselves in the session's zone; text/varchar/bpchar
 *       among themselves; json to jsonb; and any type to a text column through its output, the
 *       I/O conversion PostgreSQL allows on assignment);</li>
 *   <li>{@link ValueUse#MATCH} is an equality test: PostgreSQL would compare in the wider type, so a
 *       value that the column's type cannot hold exactly ({@code 1.5} for an integer column, an
 *       int8 beyond int4, a timestamp with a time for a date column, a string longer than
 *       {@code varchar(n)}) matches no row instead of raising an error.</li>
 * </ul>
 * Any other pair is refused with {@code 42804} (or {@code 42883} for a comparison). Errors carry
 * PostgreSQL's SQLSTATE and name the column, never the value.
 *
 * <p>Known approximation: a {@code float8} parameter compared with a {@code numeric} column is
 * matched through the numeric of its 15 significant digits (PostgreSQL would compare as float8).
 */
public final class ValueConversion {

    private static final Map<LogicalType, CanonicalCodec> CODECS = new ConcurrentHashMap<>();
    private static final Map<LogicalType, CanonicalCodec> RANDOMIZED_CODECS = new ConcurrentHashMap<>();

    private ValueConversion() {
    }

    /**
     * The codec of {@code type} in its equality form (what deterministic columns encrypt), shared
     * (codecs are immutable). It decodes every encoding of the type, so it serves every column for
     * reading.
     */
    public static CanonicalCodec codec(LogicalType type) {
        CanonicalCodec c = CODECS.get(type);
        return c != null ? c : CODECS.computeIfAbsent(type, CanonicalCodec::forType);
    }

    /**
     * The codec that encodes values stored in {@code target}: a randomized column keeps what
     * PostgreSQL prints but does not compare (numeric's display scale, {@code 1.50}); a deterministic
     * one gets {@link #codec(LogicalType)}'s equality form.
     */
    public static CanonicalCodec codec(ColumnRef target) {
        LogicalType type = target.column().type();
        return target.column().isDeterministic() ? codec(type) : displayCodec(type);
    }

    /** The codec that keeps everything PostgreSQL prints of a value (a declared parameter's, before a cast). */
    private static CanonicalCodec displayCodec(LogicalType type) {
        CanonicalCodec c = RANDOMIZED_CODECS.get(type);
        return c != null ? c : RANDOMIZED_CODECS.computeIfAbsent(type,
                t -> CanonicalCodec.forColumn(t, EncryptionMode.RANDOMIZED));
    }

    /**
     * The canonical encoding for {@code target} of a parameter value.
     *
     * @param what how messages name the value, e.g. {@code parameter $2}
     * @param declaredOid the type the client declared in Parse (0 when unspecified)
     * @param format the Bind format code (0 text, 1 binary)
     * @param value the value's bytes (not null: NULL stays NULL without conversion)
     * @param zone the session's time zone
     * @return the canonical bytes, or empty when {@code use} is MATCH and the value cannot equal any
     *     value the column holds
     * @throws ProtectedValueException with PostgreSQL's SQLSTATE when the value is invalid
     */
    public static Optional<byte[]> fromParameter(ColumnRef target, ValueUse use, String what, int declaredOid,
            int format, byte[] value, ZoneId zone) {
        LogicalType type = target.column().type();
        WireFormat wire;
        try {
            wire = WireFormat.fromCode(format);
        } catch (IllegalArgumentException e) {
            throw new ProtectedValueException("08P01", "pgseal: " + what + " for column " + target.describe()
                    + " has format code " + format + " (expected: 0 or 1)");
        }
        try {
            if (declaredOid == PgTypes.UNSPECIFIED || declaredOid == PgTypes.UNKNOWN
                    || declaredOid == type.kind().typeOid()) {
                return ownType(target, use, wire, value, zone);
            }
            if (declaredOid == PgTypes.JSON && type.kind() == Kind.JSONB) {
                // json's send format is its text
                return Optional.of(codec(target).fromText(text(value), zone));
            }
            Kind declared = PgTypes.kindOf(declaredOid);
            if (declared == null) {
                throw mismatch(target, use, what, declaredOid);
            }
            byte[] declaredCanonical = displayCodec(LogicalType.of(declared)).fromWire(value, wire, zone);
            return cast(target, use, what, declared, declaredCanonical, zone);
        } catch (InvalidValueException e) {
            throw invalid(target, what, e);
        }
    }

    /**
     * The canonical encoding for {@code target} of a literal's text (an untyped literal takes the
     * column's type, as PostgreSQL resolves it).
     *
     * @return empty when {@code use} is MATCH and no value of the column can equal it
     */
    public static Optional<byte[]> fromLiteral(ColumnRef target, ValueUse use, String text, ZoneId zone) {
        try {
            return ownType(target, use, WireFormat.TEXT, null, text, zone);
        } catch (InvalidValueException e) {
            throw invalid(target, "a literal", e);
        }
    }

    private static Optional<byte[]> ownType(ColumnRef target, ValueUse use, WireFormat wire, byte[] value, ZoneId zone) {
        return ownType(target, use, wire, value, null, zone);
    }

    private static Optional<byte[]> ownType(ColumnRef target, ValueUse use, WireFormat wire, byte[] value, String text,
            ZoneId zone) {
        LogicalType type = target.column().type();
        CanonicalCodec codec = codec(target);
        try {
            return Optional.of(text != null ? codec.fromText(text, zone) : codec.fromWire(value, wire, zone));
        } catch (InvalidValueException e) {
            // A comparison value has no length limit (parameters carry no typmod): too long = no match.
            if (use == ValueUse.MATCH && PgTypes.isText(type.kind())
                    && InvalidValueException.STRING_DATA_RIGHT_TRUNCATION.equals(e.sqlState())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Optional<byte[]> cast(ColumnRef target, ValueUse use, String what, Kind from, byte[] canonical,
            ZoneId zone) {
        LogicalType to = target.column().type();
        CanonicalCodec source = displayCodec(LogicalType.of(from));
        CanonicalCodec sink = codec(target);
        boolean match = use == ValueUse.MATCH;
        Kind k = to.kind();
        if (PgTypes.isText(k)) {
            if (PgTypes.isText(from)) {
                // bpchar's canonical form has already lost its trailing blanks, as bpchar-to-text does
                return ownType(target, use, WireFormat.TEXT, null, new String(canonical, StandardCharsets.UTF_8), zone);
            }
            if (match) {
                throw new ProtectedValueException(ProtectedValueException.UNDEFINED_FUNCTION, "pgseal: " + what
                        + " is of type " + PgTypes.name(from.typeOid()) + " and cannot be compared with column "
                        + target.describe() + " of type " + to);
            }
            // bool's cast to text spells the word (booltext), unlike its output function's t/f
            String text = from == Kind.BOOL ? (canonical[0] != 0 ? "true" : "false") : source.toText(canonical, zone);
            return Optional.of(sink.fromText(text, zone));
        }
        if (PgTypes.isInteger(k)) {
            long min = k == Kind.INT2 ? Short.MIN_VALUE : k == Kind.INT4 ? Integer.MIN_VALUE : Long.MIN_VALUE;
            long max = k == Kind.INT2 ? Short.MAX_VALUE : k == Kind.INT4 ? Integer.MAX_VALUE : Long.MAX_VALUE;
            String name = PgTypes.name(k.typeOid());
            if (PgTypes.isInteger(from)) {
                long v = Long.parseLong(source.toText(canonical, zone));
                return inRange(v, min, max, match, name).map(x -> sink.fromText(Long.toString(x), zone));
            }
            if (from == Kind.NUMERIC) {
                String s = source.toText(canonical, zone);
                if (s.equals("NaN") || s.endsWith("Infinity")) {
                    if (match) {
                        return Optional.empty();
                    }
                    throw new ProtectedValueException("0A000", "cannot convert " + (s.equals("NaN") ? "NaN" : "infinity")
                            + " to " + name + " (" + what + ", column " + target.describe() + ")");
                }
                BigDecimal d = new BigDecimal(s);
                BigDecimal rounded = d.setScale(0, RoundingMode.HALF_UP); // numeric rounds half away from zero
                if (match && rounded.compareTo(d) != 0) {
                    return Optional.empty();
                }
                if (rounded.compareTo(BigDecimal.valueOf(min)) < 0 || rounded.compareTo(BigDecimal.valueOf(max)) > 0) {
                    return outOfRange(match, name, what, target);
                }
                return Optional.of(sink.fromText(rounded.toPlainString(), zone));
            }
            if (from == Kind.FLOAT8) {
                double d = Double.parseDouble(source.toText(canonical, zone));
                double r = Math.rint(d); // float8 to integer rounds half to even
                if (Double.isNaN(d) || Double.isInfinite(d) || r < min || r >= -(double) min) {
                    return outOfRange(match, name, what, target);
                }
                if (match && r != d) {
                    return Optional.empty();
                }
                return Optional.of(sink.fromText(Long.toString((long) r), zone));
            }
        }
        if (k == Kind.NUMERIC) {
            if (PgTypes.isInteger(from)) {
                return Optional.of(sink.fromText(source.toText(canonical, zone), zone));
            }
            if (from == Kind.FLOAT8) {
                double d = Double.parseDouble(source.toText(canonical, zone));
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return Optional.of(sink.fromText(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity", zone));
                }
                // float8-to-numeric prints DBL_DIG (15) significant digits with %g, which drops
                // trailing zeros: 1.5 becomes 1.5, not 1.50000000000000
                BigDecimal b = new BigDecimal(d).round(new MathContext(15, RoundingMode.HALF_EVEN)).stripTrailingZeros();
                return Optional.of(sink.fromText(b.scale() < 0 ? b.setScale(0).toPlainString() : b.toPlainString(),
                        zone));
            }
        }
        if (k == Kind.FLOAT8 && (PgTypes.isInteger(from) || from == Kind.NUMERIC)) {
            return Optional.of(sink.fromText(source.toText(canonical, zone), zone));
        }
        if (k == Kind.DATE && (from == Kind.TIMESTAMP || from == Kind.TIMESTAMPTZ)) {
            String local = localText(source, canonical, zone);
            if (match && !isMidnightOrInfinite(local)) {
                return Optional.empty(); // compared as a timestamp, a date is midnight
            }
            return Optional.of(sink.fromText(local, zone));
        }
        if ((k == Kind.TIMESTAMP || k == Kind.TIMESTAMPTZ)
                && (from == Kind.DATE || from == Kind.TIMESTAMP || from == Kind.TIMESTAMPTZ)) {
            String local = from == Kind.TIMESTAMPTZ && k == Kind.TIMESTAMP
                    ? localText(source, canonical, zone)
                    : source.toText(canonical, zone);
            return Optional.of(sink.fromText(local, zone));
        }
        throw mismatch(target, use, what, from.typeOid());
    }

    /** A timestamp's local wall-clock text (a timestamptz shown in {@code zone} without its offset). */
    private static String localText(CanonicalCodec source, byte[] canonical, ZoneId zone) {
        String s = source.toText(canonical, zone);
        if (source.type().kind() != Kind.TIMESTAMPTZ || s.endsWith("infinity")) {
            return s;
        }
        boolean bc = s.endsWith(" BC");
        String body = bc ? s.substring(0, s.length() - 3) : s;
        int offset = Math.max(body.lastIndexOf('+'), body.lastIndexOf('-'));
        // the date's own hyphens come before the space; an offset sign comes after the time
        if (offset > body.indexOf(' ')) {
            body = body.substring(0, offset);
        }
        return bc ? body + " BC" : body;
    }

    private static boolean isMidnightOrInfinite(String local) {
        return local.endsWith("infinity") || local.contains(" 00:00:00") && !local.contains(" 00:00:00.");
    }

    private static Optional<Long> inRange(long v, long min, long max, boolean match, String name) {
        if (v >= min && v <= max) {
            return Optional.of(v);
        }
        if (match) {
            return Optional.empty();
        }
        throw new InvalidValueException(InvalidValueException.NUMERIC_VALUE_OUT_OF_RANGE, name + " out of range");
    }

    private static Optional<byte[]> outOfRange(boolean match, String name, String what, ColumnRef target) {
        if (match) {
            return Optional.empty();
        }
        throw new ProtectedValueException(InvalidValueException.NUMERIC_VALUE_OUT_OF_RANGE, name + " out of range ("
                + what + ", column " + target.describe() + ")");
    }

    private static String text(byte[] value) {
        return dev.pgseal.keys.encoding.CanonicalCodecs.decodeUtf8(value);
    }

    private static ProtectedValueException mismatch(ColumnRef target, ValueUse use, String what, int declaredOid) {
        if (use == ValueUse.MATCH) {
            return new ProtectedValueException(ProtectedValueException.UNDEFINED_FUNCTION, "pgseal: " + what
                    + " is of type " + PgTypes.name(declaredOid) + " and cannot be compared with column "
                    + target.describe() + " of type " + target.column().type());
        }
        return new ProtectedValueException(ProtectedValueException.DATATYPE_MISMATCH, "pgseal: column "
                + target.describe() + " is of type " + target.column().type() + " but " + what + " is of type "
                + PgTypes.name(declaredOid));
    }

    private static ProtectedValueException invalid(ColumnRef target, String what, InvalidValueException e) {
        return new ProtectedValueException(e.sqlState(), e.getMessage() + " (" + what + ", column "
                + target.describe() + ")");
    }
}
