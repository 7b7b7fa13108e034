package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionRefusal;
import java.security.SecureRandom;
import java.util.Random;

/**
 * The SQL that makes PostgreSQL itself raise a refusal: a {@code DO} block whose body and message
 * are dollar-quoted with random tags that occur nowhere in what they quote. No {@code '…'} literal
 * is used, so neither {@code standard_conforming_strings}, backslashes, quotes nor {@code $} in
 * names can change how PostgreSQL reads it. The text is ASCII only (anything else is written as
 * {@code \\uXXXX}), because it is sent in the client's encoding, whatever that is.
 */
public final class RefusalStatement {
    private static final Random RANDOM = new SecureRandom();

    private RefusalStatement() {
    }

    /** The {@code DO} block raising {@code refusal}. */
    public static String sql(SessionRefusal refusal) {
        return sql(refusal, RANDOM);
    }

    static String sql(SessionRefusal refusal, Random random) {
        String code = ascii(refusal.sqlState());
        String message = ascii(refusal.message());
        String inner = tagFor(code + "\u0000" + message, random, null);
        String body = "BEGIN RAISE EXCEPTION USING ERRCODE = " + inner + code + inner + ", MESSAGE = "
                + inner + message + inner + "; END";
        String outer = tagFor(body, random, inner);
        return "DO " + outer + body + outer;
    }

    /** A tag that closes {@code text} exactly at its end (no earlier or overlapping occurrence). */
    private static String tagFor(String text, Random random, String not) {
        while (true) {
            StringBuilder sb = new StringBuilder("$pgseal_");
            for (int i = 0; i < 12; i++) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            String tag = sb.append('$').toString();
            for (String part : text.split("\u0000", -1)) {
                if ((part + tag).indexOf(tag) != part.length()) {
                    tag = null;
                    break;
                }
            }
            if (tag != null && !tag.equals(not)) {
                return tag;
            }
        }
    }

    /** Printable ASCII as it is; everything else as {@code \\uXXXX}. */
    static String ascii(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.toString();
    }
}
