package dev.pgseal.keys.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.policy.LogicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random property tests, per logical type: several text spellings and the binary format
 * of one random value, all built here without the codec, give the same canonical bytes and the
 * same deterministic envelope; and canonical values round-trip through both output formats.
 */
class CanonicalEncodingPropertyTest {

    private static final int SAMPLES = 300;
    private static final ColumnIdentity COLUMN = ColumnIdentity.of("public", "t", "c");
    private static final DataKey KEY = new DataKey(1, 1, SecretBytes.random(32, new SecureRandom()));
    private static final ColumnCipher CIPHER = ColumnCipher.create(new KeyResolver() {
        @Override
        public DataKey encryptionKey(String ringName) {
            return KEY;
        }

        @Override
        public DataKey decryptionKey(int ringId, int version) {
            return KEY;
        }
    });

    /** One value, spelled several ways. */
    record Sample(List<String> texts, List<byte[]> binaries) {
    }

    @ParameterizedTest
    @EnumSource(LogicalType.Kind.class)
    void textAndBinarySpellingsOfOneValueGiveOneCanonicalValueAndOneDeterministicCiphertext(LogicalType.Kind kind) {
        LogicalType type = kind.takesLength() ? new LogicalType(kind, java.util.OptionalInt.of(12)) : LogicalType.of(kind);
        CanonicalCodec codec = CanonicalCodec.forType(type);
        Random random = new Random(31L * kind.ordinal() + 20261129L);
        ZoneId session = ZoneId.of("Europe/Paris");
        for (int i = 0; i < SAMPLES; i++) {
            Sample sample = sample(kind, random, session);
            byte[] canonical = codec.fromBinary(sample.binaries().get(0));
            byte[] envelope = CIPHER.encrypt(COLUMN, EncryptionMode.DETERMINISTIC, "r", canonical);
            for (String text : sample.texts()) {
                byte[] fromText = codec.fromText(text, session);
                assertThat(fromText).as("%s text [%s] vs binary", kind, text).isEqualTo(canonical);
                assertThat(CIPHER.encrypt(COLUMN, EncryptionMode.DETERMINISTIC, "r", fromText)).isEqualTo(envelope);
            }
            for (byte[] binary : sample.binaries()) {
                assertThat(codec.fromBinary(binary)).as("%s binary %s", kind, HexFormat.of().formatHex(binary)).isEqualTo(canonical);
            }
            assertThat(CIPHER.decrypt(COLUMN, "r", envelope)).isEqualTo(canonical);
            String printed = codec.toText(canonical, session);
            assertThat(codec.fromText(printed, session)).as("%s round trip of [%s]", kind, printed).isEqualTo(canonical);
            assertThat(codec.fromText(codec.toText(canonical, ZoneOffset.UTC), ZoneOffset.UTC)).isEqualTo(canonical);
            assertThat(codec.fromBinary(codec.toBinary(canonical))).isEqualTo(canonical);
        }
    }

    static Sample sample(LogicalType.Kind kind, Random r, ZoneId session) {
        return switch (kind) {
            case INT2 -> integer(r, (short) r.nextInt(), 2);
            case INT4 -> integer(r, r.nextInt(), 4);
            case INT8 -> integer(r, r.nextLong(), 8);
            case NUMERIC -> numeric(r);
            case FLOAT8 -> float8(r);
            case BOOL -> bool(r);
            case DATE -> date(r);
            case TIMESTAMP -> timestamp(r, false, session);
            case TIMESTAMPTZ -> timestamp(r, true, session);
            case UUID -> uuid(r);
            case BYTEA -> bytea(r);
            case TEXT, VARCHAR -> text(r, false);
            case CHAR -> text(r, true);
            case JSONB -> jsonb(r);
        };
    }

    private static Sample integer(Random r, long v, int width) {
        String plain = Long.toString(v);
        String padded = v < 0 ? "-000" + plain.substring(1) : "+00" + plain;
        byte[] binary = new byte[width];
        for (int i = 0; i < width; i++) {
            binary[i] = (byte) (v >>> (8 * (width - 1 - i)));
        }
        return new Sample(List.of(plain, padded, "  " + plain + "\t"), List.of(binary));
    }

    private static Sample numeric(Random r) {
        int roll = r.nextInt(20);
        if (roll == 0) {
            return new Sample(List.of("NaN", "nan"), List.of(numericBinary(0, 0, 0xC000, 0, new int[0])));
        }
        BigDecimal v = new BigDecimal(new BigInteger(r.nextInt(130) + 1, r), r.nextInt(40) - 15);
        if (r.nextBoolean()) {
            v = v.negate();
        }
        List<String> texts = List.of(v.toPlainString(), v.toString(), v.setScale(Math.max(0, v.scale()) + 3).toPlainString(),
                " " + v.toString().toLowerCase(Locale.ROOT) + " ");
        // Binary built by repeated division, with trailing zero digits and an extra display scale,
        // so the decoder meets non-normalized input too.
        int dscale = Math.max(0, v.scale()) + r.nextInt(5);
        int groupScale = (dscale + 3) / 4 * 4 + 4;
        BigInteger u = v.abs().setScale(groupScale).unscaledValue();
        List<Integer> digits = new ArrayList<>();
        while (u.signum() > 0) {
            BigInteger[] qr = u.divideAndRemainder(BigInteger.valueOf(10_000));
            digits.add(0, qr[1].intValue());
            u = qr[0];
        }
        int weight = digits.size() - 1 - groupScale / 4;
        return new Sample(texts, List.of(numericBinary(digits.size(), weight, v.signum() < 0 ? 0x4000 : 0, dscale,
                digits.stream().mapToInt(Integer::intValue).toArray())));
    }

    private static byte[] numericBinary(int ndigits, int weight, int sign, int dscale, int[] digits) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * ndigits);
        b.putShort((short) ndigits).putShort((short) weight).putShort((short) sign).putShort((short) dscale);
        for (int d : digits) {
            b.putShort((short) d);
        }
        return b.array();
    }

    private static Sample float8(Random r) {
        double d = switch (r.nextInt(4)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
            case 2 -> Math.round(r.nextGaussian() * 1e6) / 1000.0;
            default -> r.nextInt(1000) - 500;
        };
        if (Double.isNaN(d)) {
            return new Sample(List.of("NaN", "nan"), List.of(ByteBuffer.allocate(8).putDouble(Double.NaN).array(),
                    ByteBuffer.allocate(8).putLong(0x7ff0000000000001L).array()));
        }
        if (Double.isInfinite(d)) {
            return float8(r);
        }
        List<String> texts = new ArrayList<>(List.of(Double.toString(d), String.format(Locale.ROOT, "%.17g", d),
                new BigDecimal(d).toString()));
        List<byte[]> binaries = new ArrayList<>(List.of(ByteBuffer.allocate(8).putDouble(d).array()));
        if (d == 0) {
            texts.add("-0");
            binaries.add(ByteBuffer.allocate(8).putDouble(-0.0).array());
        }
        return new Sample(texts, binaries);
    }

    private static Sample bool(Random r) {
        boolean b = r.nextBoolean();
        List<String> spellings = new ArrayList<>(b ? List.of("t", "true", "TRUE", "y", "yes", "on", "1", " tr ")
                : List.of("f", "false", "FALSE", "n", "no", "off", "0", " fal "));
        Collections.shuffle(spellings, r);
        return new Sample(spellings, List.of(new byte[] {(byte) (b ? 1 + r.nextInt(100) : 0)}));
    }

    private static final LocalDate PG_EPOCH = LocalDate.of(2000, 1, 1);

    private static Sample date(Random r) {
        LocalDate d = LocalDate.ofEpochDay(r.nextInt(LocalDate.of(9999, 12, 31).toEpochDay() > 0 ? 4_000_000 : 1) - 700_000);
        String iso = String.format(Locale.ROOT, "%04d-%02d-%02d", d.getYear() > 0 ? d.getYear() : 1 - d.getYear(),
                d.getMonthValue(), d.getDayOfMonth()) + (d.getYear() > 0 ? "" : " BC");
        String loose = String.format(Locale.ROOT, "%04d-%d-%d", d.getYear() > 0 ? d.getYear() : 1 - d.getYear(),
                d.getMonthValue(), d.getDayOfMonth()) + (d.getYear() > 0 ? " 12:34:56" : " bc");
        long days = d.toEpochDay() - PG_EPOCH.toEpochDay();
        return new Sample(List.of(iso, loose), List.of(ByteBuffer.allocate(4).putInt((int) days).array()));
    }

    private static Sample timestamp(Random r, boolean withZone, ZoneId session) {
        long seconds = (long) (r.nextDouble() * 16_000_000_000L) - 5_000_000_000L; // about 1811 to 2477
        long micros = r.nextInt(4) == 0 ? 0 : r.nextInt(1_000_000);
        Instant instant = Instant.ofEpochSecond(seconds, micros * 1000);
        long pgMicros = (seconds - 946_684_800L) * 1_000_000L + micros;
        byte[] binary = ByteBuffer.allocate(8).putLong(pgMicros).array();
        DateTimeFormatter f = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
        if (!withZone) {
            LocalDateTime local = LocalDateTime.ofEpochSecond(seconds, (int) micros * 1000, ZoneOffset.UTC);
            return new Sample(List.of(f.format(local), f.format(local).replace(' ', 'T') + "000", f.format(local) + "+05:00"),
                    List.of(binary));
        }
        ZoneOffset someOffset = ZoneOffset.ofTotalSeconds((r.nextInt(28) - 12) * 1800);
        String withOffset = f.format(instant.atOffset(someOffset)) + someOffset.getId().replace("Z", "+00:00");
        String inSession = f.format(instant.atZone(session)); // no zone: read in the session's zone
        String utc = f.format(instant.atOffset(ZoneOffset.UTC)) + "Z";
        List<String> texts = new ArrayList<>(List.of(withOffset, utc));
        // A wall-clock time repeated by a DST fall-back is ambiguous without its offset; skip that spelling there.
        if (session.getRules().getValidOffsets(instant.atZone(session).toLocalDateTime()).size() == 1) {
            texts.add(inSession);
        }
        return new Sample(texts, List.of(binary));
    }

    private static Sample uuid(Random r) {
        UUID u = new UUID(r.nextLong(), r.nextLong());
        String s = u.toString();
        byte[] binary = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
        return new Sample(List.of(s, s.toUpperCase(Locale.ROOT), "{" + s + "}", s.replace("-", "")), List.of(binary));
    }

    private static Sample bytea(Random r) {
        byte[] b = new byte[r.nextInt(40)];
        r.nextBytes(b);
        StringBuilder escape = new StringBuilder();
        for (byte x : b) {
            int v = x & 0xff;
            if (v == '\\') {
                escape.append("\\\\");
            } else if (v >= 0x20 && v < 0x7f) {
                escape.append((char) v);
            } else {
                escape.append('\\').append(String.format(Locale.ROOT, "%03o", v));
            }
        }
        String hex = HexFormat.of().formatHex(b);
        return new Sample(List.of("\\x" + hex, "\\x" + hex.toUpperCase(Locale.ROOT), escape.toString()), List.of(b));
    }

    private static Sample text(Random r, boolean blankPadded) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12) + (blankPadded ? 0 : 0);
        for (int i = 0; i < n; i++) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 'a' + r.nextInt(26);
                case 1 -> 0xA0 + r.nextInt(0x700);
                case 2 -> 0x1F600 + r.nextInt(0x50);
                default -> ' ' + r.nextInt(0x5f);
            };
            sb.appendCodePoint(cp);
        }
        String s = sb.toString();
        if (blankPadded) {
            String core = s.replaceAll(" +$", "");
            int cps = core.codePointCount(0, core.length());
            String padded = core + " ".repeat(12 - cps);
            return new Sample(List.of(core, padded, core + " ".repeat(20)), List.of(padded.getBytes(StandardCharsets.UTF_8),
                    core.getBytes(StandardCharsets.UTF_8)));
        }
        return new Sample(List.of(s), List.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static Sample jsonb(Random r) {
        Object tree = jsonTree(r, 0);
        String compact = render(tree, r, false);
        String spaced = render(tree, r, true);
        byte[] binary = ("\u0001" + render(tree, r, true)).getBytes(StandardCharsets.UTF_8);
        return new Sample(List.of(compact, spaced), List.of(binary));
    }

    private static Object jsonTree(Random r, int depth) {
        int roll = r.nextInt(depth > 2 ? 5 : 7);
        switch (roll) {
            case 0:
                return null;
            case 1:
                return r.nextBoolean();
            case 2:
                return new BigDecimal(BigInteger.valueOf(r.nextInt(100000) - 50000), r.nextInt(6) - 2);
            case 3:
            case 4: {
                StringBuilder sb = new StringBuilder();
                for (int i = r.nextInt(6); i > 0; i--) {
                    sb.appendCodePoint(switch (r.nextInt(5)) {
                        case 0 -> r.nextInt(0x20) + 1;
                        case 1 -> '"';
                        case 2 -> '\\';
                        case 3 -> 0xE9;
                        default -> 'a' + r.nextInt(3);
                    });
                }
                return sb.toString();
            }
            case 5: {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    list.add(jsonTree(r, depth + 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    map.put("k" + "xyz".substring(0, r.nextInt(4)) + r.nextInt(3), jsonTree(r, depth + 1));
                }
                return map;
            }
        }
    }

    /** JSON text with shuffled keys (spaced) or in insertion order (compact); escapes vary too. */
    @SuppressWarnings("unchecked")
    private static String render(Object v, Random r, boolean spaced) {
        String sp = spaced ? " " : "";
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean || v instanceof BigDecimal) {
            return v instanceof BigDecimal d && spaced ? d.toString().replace("E", "e") : v.toString();
        }
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20 || (spaced && c > 0x7e)) {
                    sb.append(String.format(Locale.ROOT, spaced ? "\\u%04X" : "\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) {
                parts.add(render(o, r, spaced));
            }
            return "[" + sp + String.join(sp + "," + sp, parts) + sp + "]";
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>(((Map<String, Object>) v).entrySet());
        if (spaced) {
            Collections.shuffle(entries, r);
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : entries) {
            parts.add(render(e.getKey(), r, spaced) + sp + ":" + sp + render(e.getValue(), r, spaced));
        }
        return "{" + sp + String.join("," + sp + "\n", parts) + sp + "}";
    }
}
