package dev.pgseal.keys;

import java.util.Objects;

/**
 * A user error: a client sent a value that is not valid for the column's logical type. Carries the
 * SQLSTATE PostgreSQL itself would report, so the proxy can send an ErrorResponse the client
 * understands. The message names the type, never the value (it may be a secret).
 */
public final class InvalidValueException extends RuntimeException {

    /** {@code 22P02} invalid_text_representation. */
    public static final String INVALID_TEXT_REPRESENTATION = "22P02";
    /** {@code 22P03} invalid_binary_representation. */
    public static final String INVALID_BINARY_REPRESENTATION = "22P03";
    /** {@code 22003} numeric_value_out_of_range. */
    public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
    /** {@code 22001} string_data_right_truncation. */
    public static final String STRING_DATA_RIGHT_TRUNCATION = "22001";
    /** {@code 22007} invalid_datetime_format. */
    public static final String INVALID_DATETIME_FORMAT = "22007";
    /** {@code 22008} datetime_field_overflow. */
    public static final String DATETIME_FIELD_OVERFLOW = "22008";
    /** {@code 22021} character_not_in_repertoire. */
    public static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
    /** {@code 22023} invalid_parameter_value. */
    public static final String INVALID_PARAMETER_VALUE = "22023";
    /** {@code 22P05} untranslatable_character. */
    public static final String UNTRANSLATABLE_CHARACTER = "22P05";

    private final String sqlState;

    public InvalidValueException(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
    }

    /** The five-character SQLSTATE. */
    public String sqlState() {
        return sqlState;
    }

    /** {@code invalid input syntax for type T} (22P02). */
    public static InvalidValueException syntax(String typeName) {
        return new InvalidValueException(INVALID_TEXT_REPRESENTATION, "invalid input syntax for type " + typeName);
    }

    /** {@code value out of range for type T} (22003). */
    public static InvalidValueException outOfRange(String typeName) {
        return new InvalidValueException(NUMERIC_VALUE_OUT_OF_RANGE, "value out of range for type " + typeName);
    }

    /** {@code incorrect binary data format for type T} (22P03). */
    public static InvalidValueException binary(String typeName) {
        return new InvalidValueException(INVALID_BINARY_REPRESENTATION, "incorrect binary data format for type " + typeName);
    }
}
