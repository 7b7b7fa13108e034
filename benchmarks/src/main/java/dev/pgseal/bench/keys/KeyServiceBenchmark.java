package dev.pgseal.bench.keys;

import dev.pgseal.keys.DataKey;
import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyRing;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.MasterKeyStore;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.WrappedKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The key service's two paths: a data key served from the in-memory cache (every encrypted value
 * takes it) and a data key unwrapped in the HSM (a cache miss: SunPKCS11 + SoftHSM2, AES-GCM).
 *
 * <p>Needs SoftHSM2 ({@code softhsm2-util}; set {@code SOFTHSM2_CONF} to a config with a writable
 * token folder unless running as root) and PostgreSQL at {@code PGSEAL_BENCH_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}); it creates and drops its own
 * token and database. Run: {@code java -jar benchmarks.jar KeyServiceBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KeyServiceBenchmark {

    private static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final String PIN = "bench-pin";

    private String tokenLabel;
    private String database;
    private String adminUrl;
    private KeyService service;
    private MasterKeyStore hsm;
    private int ringId;
    private WrappedKey wrapped;
    private byte[] associatedData;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        tokenLabel = "pgseal-bench-" + ProcessHandle.current().pid();
        softhsm("--init-token", "--free", "--label", tokenLabel, "--so-pin", "bench-so-pin", "--pin", PIN);
        Path pinFile = Files.createTempFile("pgseal-bench-pin", ".txt");
        Files.writeString(pinFile, PIN, StandardCharsets.UTF_8);
        pinFile.toFile().deleteOnExit();
        KeystoreSettings keystore = new KeystoreSettings(KeystoreSettings.Type.PKCS11, Optional.of(LIBRARY),
                Optional.of(tokenLabel), Optional.of(SecretSource.file(pinFile)), "bench-master",
                Optional.empty(), Optional.empty());

        adminUrl = Optional.ofNullable(System.getenv("PGSEAL_BENCH_PG_URL"))
                .orElse("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        database = "pgseal_bench_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database);
            s.execute("create database " + database);
        }
        String url = adminUrl.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
        service = KeyService.open(keystore, new StoreSettings(url, null, Optional.empty(), 2), Clock.systemUTC(),
                KeyCacheSettings.DEFAULT);
        KeyRing ring = service.createRing("bench", null, "bench");
        ringId = ring.id();
        service.decryptionKey(ringId, 1); // warm the cache

        hsm = MasterKeyStore.open(keystore);
        associatedData = new byte[] {0, 0, 0, 1, 0, 0, 0, 1};
        try (SecretBytes dek = SecretBytes.random(32, new SecureRandom())) {
            wrapped = hsm.wrap(dek, associatedData);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        service.close();
        hsm.close();
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
        }
        softhsm("--delete-token", "--token", tokenLabel);
    }

    /** The per-value path: a data key for decryption, served from the cache (checks included). */
    @Benchmark
    public DataKey cacheHitDecryptionKey() {
        return service.decryptionKey(ringId, 1);
    }

    /** The per-value path for encryption: the ring's primary key from the cache. */
    @Benchmark
    public DataKey cacheHitEncryptionKey() {
        return service.encryptionKey("bench");
    }

    /** A cache miss's crypto: one AES-GCM unwrap of a 32-byte data key inside the HSM. */
    @Benchmark
    public boolean hsmUnwrap() {
        SecretBytes dek = hsm.unwrap(wrapped, associatedData);
        dek.destroy();
        return dek.isDestroyed();
    }

    private static void softhsm(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "softhsm2-util";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("softhsm2-util failed: " + out);
        }
    }
}
