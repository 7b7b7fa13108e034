package dev.pgseal.sql;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the rows of a {@code COPY} stream are written, with PostgreSQL's defaults filled in: text
 * format (delimiter tab, NULL {@code \N}, backslash escapes) or CSV (delimiter comma, NULL the empty
 * string, quote {@code "}, escape the quote). Every character is ASCII (the planner refuses others),
 * so the stream can be split byte by byte in every client encoding pgseal accepts.
 *
 * @param csv CSV format (else text)
 * @param delimiter the field delimiter
 * @param nullString the text that stands for NULL
 * @param header whether the first line is a header, and whether PostgreSQL matches it (FROM only)
 * @param quote CSV quote character (unused in text format)
 * @param escape CSV escape character (unused in text format)
 * @param forceQuoteAll {@code FORCE_QUOTE *}
 * @param forceQuote {@code FORCE_QUOTE} columns (TO, CSV)
 * @param forceNotNull {@code FORCE_NOT_NULL} columns (FROM, CSV)
 * @param forceNull {@code FORCE_NULL} columns (FROM, CSV)
 * @param encoding the {@code ENCODING} option, if given (the stream's encoding instead of client_encoding)
 */
public record CopyFormat(boolean csv, char delimiter, String nullString, Header header, char quote, char escape,
        boolean forceQuoteAll, Set<String> forceQuote, Set<String> forceNotNull, Set<String> forceNull,
        Optional<String> encoding) {

    /** The {@code HEADER} option. */
    public enum Header {
        /** No header line. */
        NONE,
        /** A header line, skipped (FROM) or written (TO). */
        PRESENT,
        /** {@code HEADER MATCH}: PostgreSQL checks the header line's names (FROM). */
        MATCH
    }

    public CopyFormat {
        Objects.requireNonNull(nullString, "nullString");
        Objects.requireNonNull(header, "header");
        forceQuote = Set.copyOf(forceQuote);
        forceNotNull = Set.copyOf(forceNotNull);
        forceNull = Set.copyOf(forceNull);
        Objects.requireNonNull(encoding, "encoding");
    }

    /** Text format with PostgreSQL's defaults. */
    public static CopyFormat text() {
        return new CopyFormat(false, '\t', "\\N", Header.NONE, '"', '"', false, Set.of(), Set.of(), Set.of(),
                Optional.empty());
    }

    /** CSV format with PostgreSQL's defaults. */
    public static CopyFormat csvDefaults() {
        return new CopyFormat(true, ',', "", Header.NONE, '"', '"', false, Set.of(), Set.of(), Set.of(),
                Optional.empty());
    }

    /** Whether non-NULL values of {@code column} are always quoted (COPY TO, CSV). */
    public boolean forcesQuote(String column) {
        return csv && (forceQuoteAll || forceQuote.contains(column));
    }
}
