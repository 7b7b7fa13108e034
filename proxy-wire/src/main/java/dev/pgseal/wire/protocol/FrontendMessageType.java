package dev.pgseal.wire.protocol;

/** Type bytes of the messages a client sends after the startup packet. */
public enum FrontendMessageType {
    BIND('B'), CLOSE('C'), COPY_DATA('d'), COPY_DONE('c'), COPY_FAIL('f'), DESCRIBE('D'), EXECUTE('E'),
    FLUSH('H'), FUNCTION_CALL('F'), PARSE('P'), QUERY('Q'), SYNC('S'), TERMINATE('X'),
    /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this byte. */
    PASSWORD('p');

    private static final FrontendMessageType[] BY_CODE = new FrontendMessageType[128];

    static {
        for (FrontendMessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final byte code;

    FrontendMessageType(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** The type for a code, or {@code null} for a byte no client may send. */
    public static FrontendMessageType of(byte code) {
        return code >= 0 ? BY_CODE[code] : null;
    }

    /** A printable form of a type byte for error messages. */
    public static String describe(byte code) {
        return code >= 0x20 && code < 0x7f ? "'" + (char) code + "'" : String.format("0x%02x", code & 0xff);
    }
}
