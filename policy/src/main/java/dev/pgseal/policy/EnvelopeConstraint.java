package dev.pgseal.policy;

import dev.pgseal.policy.internal.Identifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CHECK constraint every protected column carries, so that PostgreSQL itself rejects a value
 * that is not a pgseal envelope ({@code 23514}) whatever route it arrives by: a function, a
 * trigger, a child table, a direct connection. It accepts NULL, or a {@code bytea} at least as long
 * as the column's smallest envelope whose first byte is the format version and second byte the
 * column's mode ({@link EnvelopeShape}), for example:
 *
 * <pre>{@code
 * ALTER TABLE public.customers ADD CONSTRAINT pgseal_envelope_ssn CHECK (ssn IS NULL OR
 *     (octet_length(ssn) >= 26 AND get_byte(ssn, 0) = 2 AND get_byte(ssn, 1) = 2));
 * }</pre>
 *
 * <p>This class is the one place that spells the constraint: {@link CatalogCheck} compares the
 * catalog against it, and {@code pgseal policy ddl} prints it. The constraint is inheritable (never
 * {@code NO INHERIT}), so child tables and partitions get it too.
 */
public final class EnvelopeConstraint {

    /** Every constraint pgseal asks for is named this prefix plus the column's name. */
    public static final String NAME_PREFIX = "pgseal_envelope_";

    /** Hex digits of the name hash that replaces the tail of a name too long for PostgreSQL. */
    private static final int HASH_HEX_DIGITS = 8;

    private static final Pattern TRAILING_FLAGS = Pattern.compile("(\\s+(NOT\\s+VALID|NO\\s+INHERIT))+\\s*$");
    private static final String IDENTIFIER = "(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    private static final Pattern BYTEA_CAST = Pattern.compile("\\(" + IDENTIFIER + "\\)::bytea");
    private static final Pattern SIMPLE_QUOTED = Pattern.compile("\"([a-z_][a-z0-9_$]*)\"");

    private EnvelopeConstraint() {
    }

    /**
     * The constraint's name for a column: {@code pgseal_envelope_} and the column name, or, when
     * that exceeds PostgreSQL's 63 bytes (which PostgreSQL would truncate silently, so two long
     * columns could collide), the column name cut to fit followed by {@code _} and the first eight
     * hex digits of the SHA-256 of the full column name. Deterministic, so every pgseal instance
     * asks for the same name.
     *
     * @param column the column name as in {@code pg_attribute.attname}
     */
    public static String name(String column) {
        String full = NAME_PREFIX + column;
        if (utf8Length(full) <= Identifiers.MAX_BYTES) {
            return full;
        }
        String suffix = "_" + hash(column);
        int budget = Identifiers.MAX_BYTES - utf8Length(NAME_PREFIX) - suffix.length();
        String prefix = column;
        while (utf8Length(prefix) > budget) {
            prefix = prefix.substring(0, prefix.offsetByCodePoints(prefix.length(), -1));
        }
        return NAME_PREFIX + prefix + suffix;
    }

    /**
     * The boolean expression the constraint checks, as pgseal writes it:
     * {@code ssn IS NULL OR (octet_length(ssn) >= 26 AND get_byte(ssn, 0) = 2 AND get_byte(ssn, 1) = 2)}.
     *
     * @param column the column name as in {@code pg_attribute.attname} (quoted here where needed)
     */
    public static String expression(String column, Encryption encryption) {
        String c = Identifiers.quote(column);
        return c + " IS NULL OR (octet_length(" + c + ") >= " + EnvelopeShape.minimumLength(encryption)
                + " AND get_byte(" + c + ", 0) = " + EnvelopeShape.FORMAT_VERSION
                + " AND get_byte(" + c + ", 1) = " + EnvelopeShape.modeByte(encryption) + ")";
    }

    /** The statement that adds the constraint to {@code table}, ending with a semicolon. */
    public static String addStatement(QualifiedName table, ColumnPolicy column) {
        return "ALTER TABLE " + table.toSql() + " ADD CONSTRAINT " + Identifiers.quote(name(column.name()))
                + " CHECK (" + expression(column.name(), column.encryption()) + ");";
    }

    /** The statement that drops the constraint called {@code constraint} from {@code table}. */
    public static String dropStatement(QualifiedName table, String constraint) {
        return "ALTER TABLE " + table.toSql() + " DROP CONSTRAINT " + Identifiers.quote(constraint) + ";";
    }

    /** The statement that validates an existing {@code NOT VALID} constraint (checks every row). */
    public static String validateStatement(QualifiedName table, String constraint) {
        return "ALTER TABLE " + table.toSql() + " VALIDATE CONSTRAINT " + Identifiers.quote(constraint) + ";";
    }

    /**
     * Whether {@code constraintDefinition}, as {@code pg_get_constraintdef} prints it, checks
     * exactly the expression pgseal asks for on this column. The flags {@code NOT VALID} and
     * {@code NO INHERIT} are ignored here (the catalog check reads them from {@code pg_constraint}).
     */
    public static boolean matches(String constraintDefinition, String column, Encryption encryption) {
        return normalize(constraintDefinition).equals(normalize(canonicalDefinition(column, encryption)));
    }

    /**
     * The definition as PostgreSQL's deparser prints {@link #expression} back (every operator
     * parenthesised), so that {@link #normalize} only has to even out spacing, quoting and casts.
     */
    static String canonicalDefinition(String column, Encryption encryption) {
        String c = Identifiers.quote(column);
        return "CHECK (((" + c + " IS NULL) OR ((octet_length(" + c + ") >= " + EnvelopeShape.minimumLength(encryption)
                + ") AND (get_byte(" + c + ", 0) = " + EnvelopeShape.FORMAT_VERSION
                + ") AND (get_byte(" + c + ", 1) = " + EnvelopeShape.modeByte(encryption) + "))))";
    }

    /**
     * A constraint definition reduced to what decides its meaning here: the trailing flags go, a
     * cast of a column to {@code bytea} goes (PostgreSQL prints one when the column's type is a
     * domain over {@code bytea}), identifiers that need no quotes lose them (the deparser quotes
     * some key words that {@link Identifiers#quote} leaves bare), and whitespace outside quoted
     * identifiers goes. Parentheses stay: they carry the expression's structure.
     */
    static String normalize(String definition) {
        String s = TRAILING_FLAGS.matcher(definition.trim()).replaceFirst("");
        s = BYTEA_CAST.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        s = SIMPLE_QUOTED.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        StringBuilder out = new StringBuilder(s.length());
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            }
            if (quoted || !Character.isWhitespace(ch)) {
                out.append(ch);
            }
        }
        return out.toString();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String hash(String column) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(column.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
