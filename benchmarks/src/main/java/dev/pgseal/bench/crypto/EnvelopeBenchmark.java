package dev.pgseal.bench.crypto;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.policy.LogicalType;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
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
 * Envelope encryption and decryption of one 32-byte value on the cache-hit path: the key resolver
 * hands out an in-memory data key, as the key service does once a version is unwrapped and cached.
 * Target: at most 2 µs per value. Also the whole parameter path for an {@code int4} sent as text
 * (canonical encoding + deterministic envelope) and the result path (decrypt + text output).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar EnvelopeBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EnvelopeBenchmark {

    private ColumnCipher cipher;
    private ColumnIdentity column;
    private byte[] value;
    private byte[] randomizedEnvelope;
    private byte[] deterministicEnvelope;
    private CanonicalCodec int4;
    private byte[] int4Envelope;

    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        DataKey key = new DataKey(1, 1, SecretBytes.random(32, random));
        cipher = ColumnCipher.create(new KeyResolver() {
            @Override
            public DataKey encryptionKey(String ringName) {
                return key;
            }

            @Override
            public DataKey decryptionKey(int ringId, int version) {
                return key;
            }
        });
        column = ColumnIdentity.of("public", "patients", "ssn");
        value = new byte[32];
        random.nextBytes(value);
        randomizedEnvelope = cipher.encrypt(column, EncryptionMode.RANDOMIZED, "patients", value);
        deterministicEnvelope = cipher.encrypt(column, EncryptionMode.DETERMINISTIC, "patients", value);
        int4 = CanonicalCodec.forType(LogicalType.of(LogicalType.Kind.INT4));
        int4Envelope = cipher.encrypt(column, EncryptionMode.DETERMINISTIC, "patients", int4.fromText("123456"));
    }

    @Benchmark
    public byte[] encryptRandomized() {
        return cipher.encrypt(column, EncryptionMode.RANDOMIZED, "patients", value);
    }

    @Benchmark
    public byte[] decryptRandomized() {
        return cipher.decrypt(column, "patients", randomizedEnvelope);
    }

    @Benchmark
    public byte[] encryptDeterministic() {
        return cipher.encrypt(column, EncryptionMode.DETERMINISTIC, "patients", value);
    }

    @Benchmark
    public byte[] decryptDeterministic() {
        return cipher.decrypt(column, "patients", deterministicEnvelope);
    }

    /** A text-format int4 parameter: canonical encoding, then the deterministic envelope. */
    @Benchmark
    public byte[] int4TextParameterToDeterministicEnvelope() {
        return cipher.encrypt(column, EncryptionMode.DETERMINISTIC, "patients", int4.fromText(" 0123456"));
    }

    /** A result cell: decrypt, then print as PostgreSQL would. */
    @Benchmark
    public String deterministicEnvelopeToInt4Text() {
        return int4.toText(cipher.decrypt(column, "patients", int4Envelope));
    }
}
