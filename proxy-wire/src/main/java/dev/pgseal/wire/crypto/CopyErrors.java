package dev.pgseal.wire.crypto;

/** The SQLSTATEs PostgreSQL reports for a COPY stream it cannot read, which pgseal reports alike. */
final class CopyErrors {

    /** {@code 22P04} bad_copy_file_format: line ends, end marker, quoting, field count. */
    static final String BAD_COPY_FILE_FORMAT = "22P04";
    /** {@code 22021} character_not_in_repertoire: bytes that are not valid in the stream's encoding. */
    static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
    /** {@code 22P05} untranslatable_character: a value the client's encoding cannot hold. */
    static final String UNTRANSLATABLE_CHARACTER = "22P05";
    /** {@code 54000} program_limit_exceeded: a row longer than pgseal buffers. */
    static final String PROGRAM_LIMIT_EXCEEDED = "54000";

    private CopyErrors() {
    }
}
