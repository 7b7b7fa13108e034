package dev.pgseal.wire.crypto;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.policy.Encryption;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.ValueUse;
import dev.pgseal.wire.protocol.frontend.Bind;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Applies a plan's {@link ParameterPlan}s to the extended protocol: the parameter types of the
 * rewritten Parse, the ParameterDescription the client sees, and the Bind whose protected values
 * are encrypted.
 *
 * <p>A protected parameter reaches PostgreSQL in binary format: {@link ValueUse#STORE} as one
 * envelope ({@code bytea}), {@link ValueUse#MATCH} as a {@code bytea[]} of one deterministic
 * envelope per live key version (empty when the value cannot match). NULL stays NULL. Every other
 * parameter keeps its bytes and format code.
 */
public final class ParameterEncryption {

    private ParameterEncryption() {
    }

    /**
     * The parameter types of the rewritten Parse: protected parameters declared {@code bytea} (17)
     * or {@code bytea[]} (1001); the list is extended with zeros (unspecified) when it is shorter
     * than the highest protected parameter; the client's other declarations are kept.
     */
    public static int[] parseTypes(int[] clientTypes, List<ParameterPlan> parameters) {
        int n = clientTypes.length;
        for (ParameterPlan p : parameters) {
            n = Math.max(n, p.number());
        }
        int[] types = java.util.Arrays.copyOf(clientTypes, n);
        for (ParameterPlan p : parameters) {
            types[p.number() - 1] = p.use() == ValueUse.STORE ? PgTypes.BYTEA : PgTypes.BYTEA_ARRAY;
        }
        return types;
    }

    /**
     * The parameter types the client sees in ParameterDescription: for a protected parameter what
     * the client declared, or else the column's logical type; PostgreSQL's answer for the others.
     */
    public static int[] describedTypes(int[] serverTypes, int[] clientTypes, List<ParameterPlan> parameters) {
        int[] types = serverTypes.clone();
        for (ParameterPlan p : parameters) {
            int i = p.number() - 1;
            if (i >= types.length) {
                continue;
            }
            int declared = i < clientTypes.length ? clientTypes[i] : PgTypes.UNSPECIFIED;
            types[i] = declared != PgTypes.UNSPECIFIED && declared != PgTypes.UNKNOWN
                    ? declared
                    : p.target().column().type().kind().typeOid();
        }
        return types;
    }

    /**
     * The Bind to send: protected values converted, encrypted and in binary format, with one format
     * code per parameter. Parameters the plan names beyond the Bind's count are left to PostgreSQL
     * (it refuses the count).
     *
     * @param clientTypes the parameter types the client declared in its Parse
     * @param zone the session's time zone
     * @throws ProtectedValueException when a value is not valid for its column's type
     */
    public static Bind encrypt(Bind bind, int[] clientTypes, List<ParameterPlan> parameters, ColumnCipher cipher,
            ZoneId zone) {
        int n = bind.parameterCount();
        short[] formats = new short[n];
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            formats[i] = (short) bind.parameterFormat(i);
            values[i] = bind.value(i);
        }
        for (ParameterPlan p : parameters) {
            int i = p.number() - 1;
            if (i >= n) {
                continue;
            }
            int declared = i < clientTypes.length ? clientTypes[i] : PgTypes.UNSPECIFIED;
            values[i] = encryptValue(p.target(), p.use(), "parameter $" + p.number(), declared, formats[i], values[i],
                    cipher, zone);
            formats[i] = 1;
        }
        return new Bind(bind.portal(), bind.statement(), formats, values, bind.resultFormats());
    }

    /**
     * As {@link #encrypt(Bind, int[], List, ColumnCipher, ZoneId)} for a statement prepared with
     * {@code slots}: each slotted equality parameter is sent as one envelope per slot (its own
     * parameter and the added ones, appended after the client's), the others as there. When the
     * Bind does not carry exactly the statement's visible parameters, no slot is added (PostgreSQL
     * refuses the count).
     *
     * @return the Bind, or null when a value has more envelopes than its slots (the ring gained
     *     versions since the statement was prepared)
     */
    public static Bind encrypt(Bind bind, int[] clientTypes, List<ParameterPlan> parameters, ColumnCipher cipher,
            ZoneId zone, MatchSlots slots) {
        if (slots.isEmpty() || bind.parameterCount() != slots.visibleCount()) {
            return encrypt(bind, clientTypes, parameters, cipher, zone);
        }
        int n = slots.totalCount();
        short[] formats = new short[n];
        byte[][] values = new byte[n][];
        for (int i = 0; i < bind.parameterCount(); i++) {
            formats[i] = (short) bind.parameterFormat(i);
            values[i] = bind.value(i);
        }
        for (ParameterPlan p : parameters) {
            int i = p.number() - 1;
            int declared = i < clientTypes.length ? clientTypes[i] : PgTypes.UNSPECIFIED;
            String what = "parameter $" + p.number();
            int[] numbers = slots.slotsOf(p.number());
            if (numbers == null) {
                values[i] = encryptValue(p.target(), p.use(), what, declared, formats[i], values[i], cipher, zone);
                formats[i] = 1;
                continue;
            }
            List<byte[]> envelopes = null;
            if (values[i] != null) {
                Optional<byte[]> canonical = ValueConversion.fromParameter(p.target(), p.use(), what, declared,
                        formats[i], values[i], zone);
                envelopes = envelopes(p.target(), p.use(), canonical, cipher);
                if (envelopes.size() > numbers.length) {
                    return null;
                }
            }
            for (int k = 0; k < numbers.length; k++) {
                int at = numbers[k] - 1;
                formats[at] = 1;
                values[at] = envelopes == null ? null
                        : envelopes.isEmpty() ? new byte[0] // a value no row holds: no envelope is empty
                        : envelopes.get(Math.min(k, envelopes.size() - 1));
            }
        }
        return new Bind(bind.portal(), bind.statement(), formats, values, bind.resultFormats());
    }

    /**
     * One value's binary wire form for PostgreSQL: NULL for NULL, else the envelope (STORE) or the
     * {@code bytea[]} of envelopes (MATCH).
     */
    public static byte[] encryptValue(ColumnRef target, ValueUse use, String what, int declaredOid, int format,
            byte[] value, ColumnCipher cipher, ZoneId zone) {
        if (value == null) {
            return null;
        }
        Optional<byte[]> canonical = ValueConversion.fromParameter(target, use, what, declaredOid, format, value, zone);
        return seal(target, use, canonical, cipher);
    }

    /** The envelope (STORE) or binary array of envelopes (MATCH) of a converted value. */
    static byte[] seal(ColumnRef target, ValueUse use, Optional<byte[]> canonical, ColumnCipher cipher) {
        List<byte[]> envelopes = envelopes(target, use, canonical, cipher);
        return use == ValueUse.STORE ? envelopes.get(0) : ByteaWire.binaryArray(envelopes);
    }

    /**
     * The envelopes of a converted value: one under the primary version (STORE), or one
     * deterministic envelope per live version (MATCH; none when the value cannot match).
     */
    static List<byte[]> envelopes(ColumnRef target, ValueUse use, Optional<byte[]> canonical, ColumnCipher cipher) {
        ColumnIdentity column = identity(target);
        if (use == ValueUse.STORE) {
            // conversion never reports "no match" for STORE
            return List.of(cipher.encrypt(column, mode(target), target.column().key(), canonical.orElseThrow()));
        }
        return canonical.isEmpty()
                ? List.of()
                : cipher.encryptForEachVersion(column, target.column().key(), canonical.get());
    }

    /** The identity the envelope binds: the column's schema, table and name, or its equality group. */
    public static ColumnIdentity identity(ColumnRef target) {
        String schema = target.table().schema();
        String table = target.table().name();
        String column = target.column().name();
        return target.column().equalityGroup()
                .map(group -> ColumnIdentity.inGroup(schema, table, column, group))
                .orElseGet(() -> ColumnIdentity.of(schema, table, column));
    }

    /** The envelope mode of the column's encryption. */
    public static EncryptionMode mode(ColumnRef target) {
        return target.column().encryption() == Encryption.DETERMINISTIC
                ? EncryptionMode.DETERMINISTIC
                : EncryptionMode.RANDOMIZED;
    }
}
