package dev.pgseal.keys.crypto;

import org.bouncycastle.crypto.modes.gcm.GCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables4kGCMMultiplier;

/**
 * The previous POLYVAL, kept as a test reference only: POLYVAL (RFC 8452 section 3) computed with Bouncy Castle's table-driven GHASH multiplier, through
 * the identity of RFC 8452 Appendix A:
 * {@code POLYVAL(H, X) = rev(GHASH(mulX_GHASH(rev(H)), rev(X)))}. The tables are built once per key
 * and only read afterwards, so one instance serves many threads.
 */
final class TablePolyvalReference {

    private final GCMMultiplier multiplier;

    TablePolyvalReference(byte[] authKey) {
        byte[] h = reversed(authKey, 0);
        mulXGhash(h);
        multiplier = new Tables4kGCMMultiplier();
        multiplier.init(h);
    }

    /** Mixes {@code data[offset, offset+length)}, zero-padded to whole blocks, into {@code acc}. */
    void update(byte[] acc, byte[] data, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i += 16) {
            int n = Math.min(16, end - i);
            // acc is kept in GHASH (byte-reversed) order.
            for (int j = 0; j < n; j++) {
                acc[15 - j] ^= data[i + j];
            }
            multiplier.multiplyH(acc);
        }
    }

    /** Mixes the length block: bit lengths of associated data and plaintext, little-endian. */
    void updateLengths(byte[] acc, long adLength, long plaintextLength) {
        long adBits = adLength * 8;
        long ptBits = plaintextLength * 8;
        for (int j = 0; j < 8; j++) {
            acc[15 - j] ^= (byte) (adBits >>> (8 * j));
            acc[7 - j] ^= (byte) (ptBits >>> (8 * j));
        }
        multiplier.multiplyH(acc);
    }

    /** Converts the accumulator back to POLYVAL byte order, in place. */
    static void finish(byte[] acc) {
        for (int i = 0; i < 8; i++) {
            byte t = acc[i];
            acc[i] = acc[15 - i];
            acc[15 - i] = t;
        }
    }

    private static byte[] reversed(byte[] block, int offset) {
        byte[] r = new byte[16];
        for (int i = 0; i < 16; i++) {
            r[i] = block[offset + 15 - i];
        }
        return r;
    }

    /** Multiplication by x in GHASH's bit-reflected field: a right shift with reduction by 0xE1. */
    private static void mulXGhash(byte[] v) {
        int carry = v[15] & 1;
        for (int i = 15; i > 0; i--) {
            v[i] = (byte) (((v[i] & 0xff) >>> 1) | ((v[i - 1] & 1) << 7));
        }
        v[0] = (byte) ((v[0] & 0xff) >>> 1);
        if (carry != 0) {
            v[0] ^= (byte) 0xE1;
        }
    }
}
