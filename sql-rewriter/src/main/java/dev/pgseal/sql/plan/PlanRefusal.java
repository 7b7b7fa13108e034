package dev.pgseal.sql.plan;

import java.util.Locale;

/**
 * Stops planning a query string: one statement of it must be refused. Thrown and caught inside
 * this package only; carries no stack trace (it is control flow, not a bug).
 */
final class PlanRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** SQLSTATE feature_not_supported. */
    static final String NOT_SUPPORTED = "0A000";

    private final String sqlState;

    PlanRefusal(String sqlState, String message) {
        super(ascii(message), null, false, false);
        this.sqlState = sqlState;
    }

    /** A {@code 0A000} refusal; {@code message} is prefixed with {@code pgseal: }. */
    static PlanRefusal notSupported(String message) {
        return new PlanRefusal(NOT_SUPPORTED, "pgseal: " + message);
    }

    String sqlState() {
        return sqlState;
    }

    /** {@code s} with every character outside printable ASCII written as a {@code \}{@code uXXXX} escape. */
    static String ascii(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean plain = c >= 0x20 && c < 0x7F;
            if (!plain && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (plain) {
                    out.append(c);
                } else {
                    out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                }
            }
        }
        return out == null ? s : out.toString();
    }
}
