package dev.pgseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.store.KeyStoreDatabase;
import dev.pgseal.testing.PostgresFixture;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Migration V2 against a real PostgreSQL and SoftHSM2: schema {@code pgseal} is closed to PUBLIC
 * (even where someone granted access before), encryptions are counted per key version into the
 * store and the listing, and decryption refuses an envelope of another ring before any unwrap.
 */
class KeyStoreHardeningIT {

    private static final SoftHsmToken TOKEN = SoftHsmToken.get();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final ColumnIdentity SSN = ColumnIdentity.of("public", "patients", "ssn");
    private static final byte[] VALUE = "123-45-6789".getBytes(StandardCharsets.UTF_8);

    private static KeyService open(StoreSettings store, String masterKeyLabel) {
        return KeyService.open(TOKEN.keystoreSettings(masterKeyLabel), store, Clock.systemUTC());
    }

    private static String uniqueLabel() {
        return "mk-hard-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    @ParameterizedTest
    @ValueSource(strings = {"select * from pgseal.key_versions", "select * from pgseal.audit_log",
        "select * from pgseal.master_keys", "select * from pgseal.flyway_schema_history",
        "create table pgseal.planted (a int)",
        "update pgseal.key_versions set wrapped_material = '\\x00'"})
    void aRoleWithNoGrantsCannotReachTheKeyStoreEvenAfterAnEarlierGrantToPublic(String attack) throws SQLException {
        PostgresFixture pg = PostgresFixture.get();
        StoreSettings store = TestStores.freshStore("kms_public");
        // A key store at V1 where PUBLIC was given access by hand (as a careless DBA might).
        Flyway.configure().dataSource(store.jdbcUrl(), store.user(), null).schemas(KeyStoreDatabase.SCHEMA)
                .defaultSchema(KeyStoreDatabase.SCHEMA).createSchemas(true).locations("classpath:db/migration")
                .target("1").load().migrate();
        try (Connection c = DriverManager.getConnection(store.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("grant usage on schema pgseal to public");
            s.execute("grant all on all tables in schema pgseal to public");
        }
        String role = "pgseal_nobody_" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
        try (Connection admin = pg.connect(); Statement s = admin.createStatement()) {
            s.execute("create role " + role + " login");
        }
        try {
            open(store, uniqueLabel()).close(); // migrates to V2
            String url = store.jdbcUrl().replaceFirst("user=[^&]*", "user=" + role);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute(attack)).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            }
        } finally {
            try (Connection admin = pg.connect(); Statement s = admin.createStatement()) {
                s.execute("drop role if exists " + role);
            }
        }
    }

    @Test
    void encryptionsAreCountedPerKeyVersionIntoTheStoreAndTheListing() throws SQLException {
        StoreSettings store = TestStores.freshStore("kms_count");
        String label = uniqueLabel();
        try (KeyService service = open(store, label); KeyService other = open(store, label)) {
            service.createRing("patients", null, "admin");
            ColumnCipher cipher = ColumnCipher.create(service);
            for (int i = 0; i < 5; i++) {
                cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
            }
            cipher.encryptForEachVersion(SSN, "patients", VALUE);
            assertThat(service.flushEncryptionCounts()).isEqualTo(6);
            assertThat(service.flushEncryptionCounts()).as("nothing new to add").isZero();
            service.rotate("patients", "admin");
            cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "patients", VALUE);
            // A second instance adds its own count to the same version.
            ColumnCipher.create(other).encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
            assertThat(other.flushEncryptionCounts()).isEqualTo(1);
        } // close() adds what is still in memory
        List<KeyRing> rings = KeysListing.read(store);
        assertThat(rings).singleElement().satisfies(r -> {
            assertThat(r.version(1).orElseThrow().encryptions()).isEqualTo(6);
            assertThat(r.version(2).orElseThrow().encryptions()).isEqualTo(2);
        });
        assertThat(KeysListing.toTable(rings)).contains("ENCRYPTIONS");
        assertThat(KeysListing.toJson(rings)).contains("\"encryptions\" : 6", "\"encryptions\" : 2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(KeysListing.run(store, false, o, o)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("patients")))
                .anySatisfy(l -> assertThat(l.split("\\s+")).contains("6"))
                .anySatisfy(l -> assertThat(l.split("\\s+")).contains("2"));
        try (Connection c = DriverManager.getConnection(store.jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select sum(encryptions) from pgseal.key_versions")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(8);
        }
    }

    @Test
    void flushesRacingWithEncryptionsNeitherLoseNorDoubleCountAny() throws Exception {
        StoreSettings store = TestStores.freshStore("kms_race");
        try (KeyService service = open(store, uniqueLabel())) {
            service.createRing("patients", null, "admin");
            ColumnCipher cipher = ColumnCipher.create(service);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<?>> writers = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    writers.add(pool.submit(() -> {
                        for (int i = 0; i < 2000; i++) {
                            cipher.encrypt(SSN, EncryptionMode.RANDOMIZED, "patients", VALUE);
                        }
                    }));
                }
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                long added = 0;
                while (writers.stream().anyMatch(f -> !f.isDone())) {
                    assertThat(System.nanoTime()).as("writers finish within 60 s").isLessThan(deadline);
                    added += service.flushEncryptionCounts();
                }
                for (java.util.concurrent.Future<?> f : writers) {
                    f.get();
                }
                added += service.flushEncryptionCounts();
                assertThat(added).isEqualTo(8000);
            } finally {
                pool.shutdownNow();
            }
            assertThat(service.listRings().get(0).version(1).orElseThrow().encryptions()).isEqualTo(8000);
        }
    }

    @Test
    void anEnvelopeOfAnotherRingIsRefusedBeforeItsKeyIsUnwrapped() {
        StoreSettings store = TestStores.freshStore("kms_ringcheck");
        try (KeyService service = open(store, uniqueLabel())) {
            KeyRing patients = service.createRing("patients", null, "admin");
            KeyRing billing = service.createRing("billing", null, "admin");
            ColumnCipher cipher = ColumnCipher.create(service);
            byte[] foreign = cipher.encrypt(SSN, EncryptionMode.DETERMINISTIC, "billing", VALUE);
            service.invalidateCache();
            long missesBefore = service.cacheStats().misses();
            assertThatThrownBy(() -> cipher.decrypt(SSN, "patients", foreign))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("envelope belongs to key ring id " + billing.id() + ", not to the column's key ring "
                            + "patients (id " + patients.id() + ")");
            assertThat(service.cacheStats().misses()).as("no unwrap").isEqualTo(missesBefore);
            assertThat(cipher.decrypt(SSN, "billing", foreign)).isEqualTo(VALUE);
            assertThatThrownBy(() -> cipher.decrypt(SSN, "nope", foreign)).isExactlyInstanceOf(KeyUnavailableException.class)
                    .hasMessage("no key ring named nope");
        }
    }
}
