package dev.pgseal.bench.crypto;

import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.crypto.AesGcmAead;
import dev.pgseal.keys.crypto.AesGcmSivDeterministicAead;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The primitives alone on a 32-byte value with 40 bytes of associated data (the envelope's size),
 * and Bouncy Castle's own AES-GCM-SIV for comparison: the measurement behind the choice documented
 * in {@link AesGcmSivDeterministicAead} and {@code docs/crypto.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DeterministicAeadChoiceBenchmark {

    private AesGcmAead gcm;
    private AesGcmSivDeterministicAead gcmSiv;
    private byte[] keyBytes;
    private byte[] value;
    private byte[] associatedData;
    private final GCMSIVBlockCipher bouncyCastle = new GCMSIVBlockCipher(AESEngine.newInstance());

    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        keyBytes = new byte[32];
        random.nextBytes(keyBytes);
        SecretBytes key = SecretBytes.copyOf(keyBytes, dev.pgseal.keys.SecretAccess.INSTANCE);
        gcm = AesGcmAead.create(key);
        gcmSiv = AesGcmSivDeterministicAead.create(key);
        value = new byte[32];
        associatedData = new byte[40];
        random.nextBytes(value);
        random.nextBytes(associatedData);
    }

    @Benchmark
    public byte[] aesGcmRandomNonce() {
        return gcm.encrypt(value, associatedData);
    }

    @Benchmark
    public byte[] aesGcmSivCachedSubkeys() {
        return gcmSiv.encryptDeterministically(value, associatedData);
    }

    /** Bouncy Castle's AES-GCM-SIV, one reused instance: key derivation and key schedule per message. */
    @Benchmark
    public byte[] bouncyCastleGcmSivPerMessage() throws InvalidCipherTextException {
        GCMSIVBlockCipher c = bouncyCastle;
        c.init(true, new AEADParameters(new KeyParameter(keyBytes), 128, new byte[12], associatedData));
        byte[] out = new byte[value.length + 16];
        int n = c.processBytes(value, 0, value.length, out, 0);
        c.doFinal(out, n);
        return out;
    }
}
