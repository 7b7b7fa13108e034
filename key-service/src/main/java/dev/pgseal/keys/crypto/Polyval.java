package dev.pgseal.keys.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * POLYVAL (RFC 8452 section 3) in constant time: no branch and no table index depends on the key or
 * the data. Field elements are little-endian 128-bit polynomials over GF(2) modulo
 * {@code x^128 + x^127 + x^126 + x^121 + 1}, so bit {@code i} of the little-endian integer is the
 * coefficient of {@code x^i} and no bit reflection is needed.
 *
 * <p>Multiplication: a 32x32-bit carry-less product is computed with ordinary 64-bit integer
 * multiplications of operands masked to every fourth bit ("holes"): each result bit then sums at
 * most 8 one-bit products, which needs at most 4 bits, so carries never reach the next bit of the
 * same residue class, and masking the XOR of the partial products keeps exactly the carry-less
 * result. Two levels of Karatsuba build the 128x128-bit product from nine such products, and
 * {@code dot(a, b) = a * b * x^-128} is reduced with shifts and XORs (two Montgomery steps of 64
 * bits). Integer multiplication runs in constant time on the 64-bit CPUs the JDK's JIT targets.
 *
 * <p>This replaced Bouncy Castle's {@code Tables4kGCMMultiplier}, whose table lookups are indexed
 * by bytes of the secret hash state. The parts of {@code H} are computed once per key and only
 * read afterwards, so one instance serves many threads; the accumulator belongs to the caller.
 */
final class Polyval {

    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW32 = 0xffff_ffffL;
    private static final long P0 = 0x1111_1111L;
    private static final long P1 = P0 << 1;
    private static final long P2 = P0 << 2;
    private static final long P3 = P0 << 3;
    private static final long M0 = 0x1111_1111_1111_1111L;
    private static final long M1 = M0 << 1;
    private static final long M2 = M0 << 2;
    private static final long M3 = M0 << 3;

    /**
     * The masked parts of H's Karatsuba operands: for each 64-bit operand (h0, h1, h0^h1) its low,
     * high and middle 32-bit halves, each split into four masked parts: 3 * 3 * 4 values.
     */
    private final long[] h = new long[36];

    /** @param authKey the 16-byte POLYVAL key H, little-endian */
    Polyval(byte[] authKey) {
        if (authKey.length != 16) {
            throw new IllegalArgumentException("POLYVAL needs a 16-byte key");
        }
        long h0 = (long) LE64.get(authKey, 0);
        long h1 = (long) LE64.get(authKey, 8);
        split64(h0, 0);
        split64(h1, 12);
        split64(h0 ^ h1, 24);
    }

    private void split64(long v, int at) {
        long lo = v & LOW32;
        long hi = v >>> 32;
        split32(lo, at);
        split32(hi, at + 4);
        split32(lo ^ hi, at + 8);
    }

    private void split32(long v, int at) {
        h[at] = v & P0;
        h[at + 1] = v & P1;
        h[at + 2] = v & P2;
        h[at + 3] = v & P3;
    }

    /**
     * Mixes {@code data[offset, offset+length)}, zero-padded to whole 16-byte blocks, into the
     * accumulator {@code acc} (two longs, low word first).
     */
    void update(long[] acc, byte[] data, int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + 16 <= end; i += 16) {
            acc[0] ^= (long) LE64.get(data, i);
            acc[1] ^= (long) LE64.get(data, i + 8);
            multiplyByH(acc);
        }
        if (i < end) {
            byte[] last = new byte[16];
            System.arraycopy(data, i, last, 0, end - i);
            acc[0] ^= (long) LE64.get(last, 0);
            acc[1] ^= (long) LE64.get(last, 8);
            multiplyByH(acc);
        }
    }

    /** Mixes the length block: bit lengths of associated data and plaintext, little-endian. */
    void updateLengths(long[] acc, long adLength, long plaintextLength) {
        acc[0] ^= adLength * 8;
        acc[1] ^= plaintextLength * 8;
        multiplyByH(acc);
    }

    /** Writes the accumulator as RFC 8452's 16-byte POLYVAL output. */
    static void store(long[] acc, byte[] out) {
        LE64.set(out, 0, acc[0]);
        LE64.set(out, 8, acc[1]);
    }

    /** {@code acc = dot(acc, H) = acc * H * x^-128 mod P}. */
    private void multiplyByH(long[] acc) {
        long x0 = acc[0];
        long x1 = acc[1];
        long[] k = h;
        // 64x64 products of (x0, h0), (x1, h1) and (x0^x1, h0^h1), each from three 32x32 products.
        long a = x0 & LOW32;
        long b = x0 >>> 32;
        long lLo = clmul32(a, k, 0);
        long lHi = clmul32(b, k, 4);
        long lMid = clmul32(a ^ b, k, 8) ^ lLo ^ lHi;
        long l0 = lLo ^ (lMid << 32);
        long l1 = lHi ^ (lMid >>> 32);

        a = x1 & LOW32;
        b = x1 >>> 32;
        long hLo = clmul32(a, k, 12);
        long hHi = clmul32(b, k, 16);
        long hMid = clmul32(a ^ b, k, 20) ^ hLo ^ hHi;
        long h0 = hLo ^ (hMid << 32);
        long h1 = hHi ^ (hMid >>> 32);

        long x = x0 ^ x1;
        a = x & LOW32;
        b = x >>> 32;
        long mLo = clmul32(a, k, 24);
        long mHi = clmul32(b, k, 28);
        long mMid = clmul32(a ^ b, k, 32) ^ mLo ^ mHi;
        long m0 = mLo ^ (mMid << 32) ^ l0 ^ h0;
        long m1 = mHi ^ (mMid >>> 32) ^ l1 ^ h1;

        // The 256-bit product w3:w2:w1:w0.
        long w0 = l0;
        long w1 = l1 ^ m0;
        long w2 = h0 ^ m1;
        long w3 = h1;

        // Montgomery reduction, 64 bits at a time: add w * P (P = 1 + x^121 + x^126 + x^127 + x^128)
        // to clear the lowest word, then drop it. Two steps divide by x^128.
        w1 ^= (w0 << 57) ^ (w0 << 62) ^ (w0 << 63);
        w2 ^= w0 ^ (w0 >>> 7) ^ (w0 >>> 2) ^ (w0 >>> 1);
        w2 ^= (w1 << 57) ^ (w1 << 62) ^ (w1 << 63);
        w3 ^= w1 ^ (w1 >>> 7) ^ (w1 >>> 2) ^ (w1 >>> 1);
        acc[0] = w2;
        acc[1] = w3;
    }

    /**
     * Carry-less product of the 32-bit {@code a} and the 32-bit value whose four masked parts are
     * {@code k[at..at+3]}: at most 63 bits. Every partial product {@code a_i * b_j} has its
     * meaningful bits in residue class {@code (i + j) mod 4}; each such bit sums at most 8 one-bit
     * products, so its carries stay within the three bits above it (other classes).
     */
    private static long clmul32(long a, long[] k, int at) {
        long a0 = a & P0;
        long a1 = a & P1;
        long a2 = a & P2;
        long a3 = a & P3;
        long b0 = k[at];
        long b1 = k[at + 1];
        long b2 = k[at + 2];
        long b3 = k[at + 3];
        long z0 = (a0 * b0) ^ (a1 * b3) ^ (a2 * b2) ^ (a3 * b1);
        long z1 = (a0 * b1) ^ (a1 * b0) ^ (a2 * b3) ^ (a3 * b2);
        long z2 = (a0 * b2) ^ (a1 * b1) ^ (a2 * b0) ^ (a3 * b3);
        long z3 = (a0 * b3) ^ (a1 * b2) ^ (a2 * b1) ^ (a3 * b0);
        return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
    }
}
