package dev.pgseal.wire.session;

import java.nio.charset.Charset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The client encodings pgseal can read statements in. pgseal lexes SQL text to find quotes,
 * identifiers and comments; that is only sound in an encoding where no byte of a multi-byte
 * character is below 0x80 (so a trail byte can never be read as {@code '} or {@code \}) and for which
 * the JDK has a charset. SJIS, SHIFT_JIS_2004, BIG5, GBK, UHC, GB18030 and JOHAB fail the first
 * condition and are not supported; neither is any encoding the JDK cannot decode.
 *
 * <p>Names are matched as PostgreSQL matches them ({@code clean_encoding_name}): case-insensitive,
 * with every non-alphanumeric character ignored, and with PostgreSQL's aliases ({@code UNICODE},
 * {@code ISO_8859_1}, {@code WIN}, {@code KOI8}, …).
 */
public final class ClientEncodings {
    /** Cleaned alias → PostgreSQL's canonical name, for every encoding pgseal may support. */
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();
    /** PostgreSQL's canonical name → the JDK charset that decodes it, only those the JDK has. */
    private static final Map<String, Charset> CHARSETS;

    static {
        Map<String, String> javaNames = new LinkedHashMap<>();
        javaNames.put("UTF8", "UTF-8");
        // SQL_ASCII bytes have no meaning; ISO-8859-1 maps each byte to one char, so the lexer sees ASCII as is.
        javaNames.put("SQL_ASCII", "ISO-8859-1");
        javaNames.put("LATIN1", "ISO-8859-1");
        javaNames.put("LATIN2", "ISO-8859-2");
        javaNames.put("LATIN3", "ISO-8859-3");
        javaNames.put("LATIN4", "ISO-8859-4");
        javaNames.put("LATIN5", "ISO-8859-9");
        javaNames.put("LATIN6", "ISO-8859-10");
        javaNames.put("LATIN7", "ISO-8859-13");
        javaNames.put("LATIN8", "ISO-8859-14");
        javaNames.put("LATIN9", "ISO-8859-15");
        javaNames.put("LATIN10", "ISO-8859-16");
        javaNames.put("ISO_8859_5", "ISO-8859-5");
        javaNames.put("ISO_8859_6", "ISO-8859-6");
        javaNames.put("ISO_8859_7", "ISO-8859-7");
        javaNames.put("ISO_8859_8", "ISO-8859-8");
        for (int n = 1250; n <= 1258; n++) {
            javaNames.put("WIN" + n, "windows-" + n);
        }
        javaNames.put("WIN866", "IBM866");
        javaNames.put("WIN874", "x-windows-874");
        javaNames.put("KOI8R", "KOI8-R");
        javaNames.put("KOI8U", "KOI8-U");
        javaNames.put("EUC_JP", "EUC-JP");
        javaNames.put("EUC_CN", "GB2312"); // the JDK's GB2312 is the EUC-CN byte encoding
        javaNames.put("EUC_KR", "EUC-KR");
        javaNames.put("EUC_TW", "x-EUC-TW");

        Map<String, Charset> charsets = new LinkedHashMap<>();
        javaNames.forEach((pg, java) -> {
            if (Charset.isSupported(java)) {
                charsets.put(pg, Charset.forName(java));
            }
        });
        CHARSETS = Collections.unmodifiableMap(charsets);

        for (String pg : javaNames.keySet()) {
            ALIASES.put(clean(pg), pg);
        }
        // PostgreSQL's other spellings (pg_encname_tbl in encnames.c) of the same encodings.
        alias("UTF8", "unicode");
        alias("LATIN1", "iso88591");
        alias("LATIN2", "iso88592");
        alias("LATIN3", "iso88593");
        alias("LATIN4", "iso88594");
        alias("LATIN5", "iso88599");
        alias("LATIN6", "iso885910");
        alias("LATIN7", "iso885913");
        alias("LATIN8", "iso885914");
        alias("LATIN9", "iso885915");
        alias("LATIN10", "iso885916");
        alias("WIN1251", "win");
        alias("WIN866", "alt", "windows866");
        alias("WIN874", "windows874");
        alias("WIN1258", "abc", "tcvn", "tcvn5712", "vscii");
        alias("KOI8R", "koi8");
        for (int n = 1250; n <= 1258; n++) {
            alias("WIN" + n, "windows" + n);
        }
    }

    private ClientEncodings() {
    }

    private static void alias(String canonical, String... cleaned) {
        for (String a : cleaned) {
            ALIASES.put(a, canonical);
        }
    }

    /** PostgreSQL's normalisation of an encoding name: lower case, only letters and digits. */
    static String clean(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x80 && Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString();
    }

    /** PostgreSQL's canonical name ({@code UTF8}, {@code LATIN1}, …) of a supported encoding. */
    public static Optional<String> canonicalName(String name) {
        String pg = ALIASES.get(clean(name));
        return pg != null && CHARSETS.containsKey(pg) ? Optional.of(pg) : Optional.empty();
    }

    /** Whether pgseal can read statements sent in the encoding PostgreSQL knows as {@code name}. */
    public static boolean isSupported(String name) {
        return canonicalName(name).isPresent();
    }

    /**
     * The JDK charset that decodes text in {@code name}.
     *
     * @throws IllegalArgumentException when the encoding is not supported ({@link #isSupported})
     */
    public static Charset charset(String name) {
        return canonicalName(name).map(CHARSETS::get).orElseThrow(() -> new IllegalArgumentException(
                "client encoding not supported by pgseal: " + name));
    }

    /** The canonical names of every supported encoding, for documentation and messages. */
    public static Set<String> supported() {
        return CHARSETS.keySet();
    }
}
