package dev.pgseal.wire.crypto;

import java.util.Objects;

/**
 * A value for or from a protected column that pgseal cannot accept or deliver: a user error with
 * the SQLSTATE PostgreSQL would report (a parameter that is not valid for the column's type, a
 * value that is not a valid envelope, a column the role may not read). The message names the
 * column and the problem, never the value or its ciphertext, so it may be sent to the client and
 * logged.
 */
public final class ProtectedValueException extends RuntimeException {

    /** {@code XX001} data_corrupted: a stored value is not a valid envelope for its column. */
    public static final String DATA_CORRUPTED = "XX001";
    /** {@code 42501} insufficient_privilege. */
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    /** {@code 42804} datatype_mismatch. */
    public static final String DATATYPE_MISMATCH = "42804";
    /** {@code 42883} undefined_function: no equality operator between the two types. */
    public static final String UNDEFINED_FUNCTION = "42883";
    /** {@code 58000} system_error: the key a value needs is not available. */
    public static final String KEY_UNAVAILABLE = "58000";

    private final String sqlState;

    public ProtectedValueException(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
    }

    /** The five-character SQLSTATE. */
    public String sqlState() {
        return sqlState;
    }
}
