package dev.pgseal.keys.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The constant-time POLYVAL against RFC 8452's worked example and, on seeded random keys and
 * messages (edge words included), against the previous table-driven implementation.
 */
class PolyvalTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void reproducesTheRfc8452AppendixAExample() {
        Polyval polyval = new Polyval(HEX.parseHex("25629347589242761d31f826ba4b757b"));
        long[] acc = new long[2];
        polyval.update(acc, HEX.parseHex("4f4f95668c83dfb6401762bb2d01a262" + "d1a24ddd2721d006bbe45f20d3c9f362"), 0, 32);
        byte[] out = new byte[16];
        Polyval.store(acc, out);
        assertThat(HEX.formatHex(out)).isEqualTo("f7a3b47b846119fae5b7866cf5e5b77e");
    }

    @Test
    void matchesTheTableDrivenImplementationOnSeededRandomInputs() {
        Random random = new Random(8452);
        for (int i = 0; i < 2000; i++) {
            byte[] key = bytes(random, 16, i);
            byte[] ad = bytes(random, random.nextInt(70), i + 1);
            byte[] msg = bytes(random, random.nextInt(120), i + 2);
            int offset = msg.length == 0 ? 0 : random.nextInt(msg.length);

            long[] acc = new long[2];
            Polyval polyval = new Polyval(key);
            polyval.update(acc, ad, 0, ad.length);
            polyval.update(acc, msg, offset, msg.length - offset);
            polyval.updateLengths(acc, ad.length, msg.length - offset);
            byte[] actual = new byte[16];
            Polyval.store(acc, actual);

            byte[] expected = new byte[16];
            TablePolyvalReference reference = new TablePolyvalReference(key);
            reference.update(expected, ad, 0, ad.length);
            reference.update(expected, msg, offset, msg.length - offset);
            reference.updateLengths(expected, ad.length, msg.length - offset);
            TablePolyvalReference.finish(expected);

            assertThat(actual).as("case %d", i).isEqualTo(expected);
        }
    }

    /** Random bytes, and every seventh case all 0xff bytes (every mask part and carry path full). */
    private static byte[] bytes(Random random, int n, int i) {
        byte[] b = new byte[n];
        if (i % 7 == 0) {
            java.util.Arrays.fill(b, (byte) 0xff);
        } else {
            random.nextBytes(b);
        }
        return b;
    }
}
