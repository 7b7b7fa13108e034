package dev.pgseal.bench.wire;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.KeyResolver;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.policy.CatalogFacts;
import dev.pgseal.policy.ColumnPolicy;
import dev.pgseal.policy.Policy;
import dev.pgseal.policy.PolicyLoader;
import dev.pgseal.policy.QualifiedName;
import dev.pgseal.policy.TablePolicy;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.wire.crypto.ColumnAccess;
import dev.pgseal.wire.crypto.KeyReadiness;
import dev.pgseal.wire.crypto.ParameterEncryption;
import dev.pgseal.wire.crypto.ResultDecryption;
import dev.pgseal.wire.crypto.ValueConversion;
import dev.pgseal.wire.protocol.backend.DataRow;
import dev.pgseal.wire.protocol.backend.RowDescription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One DataRow through the encrypting session's row decryptor, as a lookup returns it: an id, a
 * deterministic {@code text} (an e-mail address), a randomized {@code text} (a note) and a plain
 * balance, in text or binary result format. The row is decoded, both envelopes are opened, converted
 * to the client's format and a new frame is written. Target: at most 2 µs per protected value, i.e.
 * 4 µs per row here. Run: {@code java -jar benchmarks/target/benchmarks.jar RowDecryptionBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RowDecryptionBenchmark {

    private static final long OID = 16_384;
    private static final String POLICY = """
            version: 1
            keys: [{name: accounts}]
            tables:
              - name: public.accounts
                primary_key: id
                columns:
                  - {name: email, type: text, encryption: deterministic, key: accounts, readers: "*"}
                  - {name: note, type: text, encryption: randomized, key: accounts, readers: "*"}
            """;

    /** The result format the client asked for: 0 text, 1 binary. */
    @Param({"0", "1"})
    public short format;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ResultDecryption.RowDecryptor rows;
    private byte[][] values;

    @Setup
    public void setUp() {
        Policy policy = PolicyLoader.parse(POLICY, "bench-policy.yaml").policy().orElseThrow();
        TablePolicy table = policy.tables().get(0);
        QualifiedName name = table.name();
        ColumnPolicy email = table.columns().get(0);
        ColumnPolicy note = table.columns().get(1);
        Map<Integer, ColumnPolicy> protectedColumns = new LinkedHashMap<>();
        protectedColumns.put(2, email);
        protectedColumns.put(3, note);
        CatalogFacts facts = new CatalogFacts("bench", List.of(new CatalogFacts.TableFacts(name, OID,
                List.of("id", "email", "note", "balance"), protectedColumns)), Map.of(name.name(), Set.of("public")));

        DataKey key = new DataKey(1, 1, SecretBytes.random(32, new SecureRandom()));
        ColumnCipher cipher = ColumnCipher.create(new KeyResolver() {
            @Override
            public DataKey encryptionKey(String ringName) {
                return key;
            }

            @Override
            public DataKey decryptionKey(int ringId, int version) {
                return key;
            }
        });
        RowDescription described = new RowDescription(List.of(
                field("id", 1, 20, 8), field("email", 2, 17, -1), field("note", 3, 17, -1), field("balance", 4, 23, 4)));
        ResultDecryption plan = ResultDecryption.plan(described, facts, List.of(), 0, ColumnAccess.of("app", Set.of()));
        rows = plan.rows(new short[] {format}, cipher, KeyReadiness.IN_MEMORY, ZoneOffset.UTC);
        values = new byte[][] {
            "4711".getBytes(StandardCharsets.US_ASCII),
            envelope(cipher, new ColumnRef(name, email), "user4711@example.com"),
            envelope(cipher, new ColumnRef(name, note), "note 4711"),
            "3127".getBytes(StandardCharsets.US_ASCII)};
    }

    private RowDescription.Field field(String column, int attnum, int typeOid, int size) {
        return new RowDescription.Field(column, (int) OID, (short) attnum, typeOid, (short) size, -1, format);
    }

    /** The envelope as PostgreSQL sends a bytea: {@code \\x…} in text format, the bytes in binary. */
    private byte[] envelope(ColumnCipher cipher, ColumnRef column, String plaintext) {
        byte[] envelope = cipher.encrypt(ParameterEncryption.identity(column), ParameterEncryption.mode(column),
                column.column().key(), ValueConversion.codec(column).fromText(plaintext));
        return format == 1 ? envelope : ("\\x" + HexFormat.of().formatHex(envelope)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Encodes the row as PostgreSQL sends it and decrypts its two protected values into a new frame. */
    @Benchmark
    public int decryptRow() {
        ByteBuf frame = DataRow.of(values).encode(alloc);
        ByteBuf out = rows.apply(frame, alloc);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    /** The same frame encoded and released without decryption: subtract it from {@link #decryptRow()}. */
    @Benchmark
    public int frameOnly() {
        ByteBuf frame = DataRow.of(values).encode(alloc);
        int n = frame.readableBytes();
        frame.release();
        return n;
    }
}
