package dev.pgseal.policy.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL identifier rules: an unquoted identifier folds to lower case (ASCII letters only, as
 * PostgreSQL does), a double-quoted one keeps its case and may contain anything ({@code ""} is a
 * quote), and names are at most 63 bytes (PostgreSQL would silently truncate longer ones).
 */
public final class Identifiers {

    /** PostgreSQL's NAMEDATALEN - 1. */
    public static final int MAX_BYTES = 63;

    // PostgreSQL's reserved key words (and those that cannot be a column or table name unquoted).
    private static final Set<String> RESERVED = Set.of(
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
            "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
            "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
            "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
            "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
            "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
            "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
            "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
            "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
            "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
            "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
            "where", "window", "with");

    private Identifiers() {
    }

    /**
     * Splits a dotted name into its identifiers, folding unquoted parts.
     *
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static List<String> parseDotted(String text) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            if (i >= n) {
                throw new IllegalArgumentException(parts.isEmpty() ? "the name is empty" : "the name ends with '.'");
            }
            StringBuilder part = new StringBuilder();
            if (text.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            part.append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    part.append(c);
                    i++;
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted identifier");
                }
                if (part.length() == 0) {
                    throw new IllegalArgumentException("a quoted identifier must not be empty");
                }
            } else {
                int start = i;
                while (i < n && text.charAt(i) != '.') {
                    char c = text.charAt(i);
                    boolean ok = Character.isLetter(c) || c == '_' || (i > start && (Character.isDigit(c) || c == '$'));
                    if (!ok) {
                        throw new IllegalArgumentException("unexpected character '" + c + "' (quote the identifier"
                                + " with double quotes to use it)");
                    }
                    part.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
                    i++;
                }
                if (part.length() == 0) {
                    throw new IllegalArgumentException("empty identifier between dots");
                }
            }
            if (part.toString().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
                throw new IllegalArgumentException("identifier longer than " + MAX_BYTES + " bytes");
            }
            parts.add(part.toString());
            if (i >= n) {
                return parts;
            }
            if (text.charAt(i) != '.') {
                throw new IllegalArgumentException("unexpected character '" + text.charAt(i) + "' after a quoted identifier");
            }
            i++;
        }
    }

    /**
     * Parses one identifier (no dots outside quotes).
     *
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static String parseSingle(String text) {
        List<String> parts = parseDotted(text);
        if (parts.size() != 1) {
            throw new IllegalArgumentException("expected a single identifier, not a dotted name");
        }
        return parts.get(0);
    }

    /** The identifier as SQL must spell it: bare when that reads back the same, else double-quoted. */
    public static String quote(String identifier) {
        if (identifier.matches("[a-z_][a-z0-9_$]*") && !RESERVED.contains(identifier)) {
            return identifier;
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
