package dev.pgseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The non-blocking face of the key service: warming, readiness checks that never load, and loads
 * on a given executor, with SoftHSM2 and with the software store.
 */
class KeyReadinessIT {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final AtomicInteger LABELS = new AtomicInteger();
    private static final ExecutorService BLOCKING = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-blocking"));

    enum Store { SOFTHSM2, SOFTWARE }

    @AfterAll
    static void stop() {
        BLOCKING.shutdownNow();
    }

    private static KeyService open(Store store) {
        KeystoreSettings keystore = switch (store) {
            case SOFTHSM2 -> SoftHsmToken.get().keystoreSettings("mk-ready-" + LABELS.incrementAndGet());
            case SOFTWARE -> software();
        };
        return KeyService.open(keystore, TestStores.freshStore("kms_ready"), Clock.fixed(NOW, ZoneOffset.UTC),
                new KeyCacheSettings(100, Duration.ofMinutes(15), Duration.ZERO));
    }

    private static KeystoreSettings software() {
        try {
            Path dir = Files.createTempDirectory("pgseal-soft-ks");
            Path pass = Files.writeString(dir.resolve("pass"), "test passphrase");
            return new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(), Optional.empty(),
                    Optional.empty(), "soft-master", Optional.of(dir.resolve("keys.p12")),
                    Optional.of(SecretSource.file(pass)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void warmingPutsEveryLiveVersionInMemorySoReadinessChecksSayYesWithoutLoading(Store store) {
        try (KeyService keys = open(store)) {
            keys.ensureRings(List.of("a", "b"), "test");
            keys.rotate("a", "test"); // a: v1 deactivated (still decrypts), v2 primary
            keys.invalidateCache();
            int ringA = keys.ringId("a");
            long missesBefore = keys.cacheStats().misses();

            assertThat(keys.readyToEncrypt("a")).isFalse();
            assertThat(keys.readyToMatch("a")).isFalse();
            assertThat(keys.readyToDecrypt(ringA, 1)).isFalse();
            assertThat(keys.cacheStats().misses()).as("asking never loads").isEqualTo(missesBefore);

            assertThat(keys.warm(List.of("a", "b"))).isEqualTo(3);

            assertThat(keys.readyToEncrypt("a")).isTrue();
            assertThat(keys.readyToMatch("a")).isTrue();
            assertThat(keys.readyToDecrypt(ringA, 1)).isTrue();
            assertThat(keys.readyToDecrypt(ringA, 2)).isTrue();
            assertThat(keys.readyToEncrypt("b")).isTrue();
            assertThat(keys.readyToDecrypt(ringA, 3)).as("a version that does not exist").isFalse();
            assertThat(keys.readyToEncrypt("nope")).isFalse();
            long missesAfterWarm = keys.cacheStats().misses();
            keys.encryptionKey("a");
            keys.liveKeys("a");
            assertThat(keys.cacheStats().misses()).as("what readiness promised is served from memory")
                    .isEqualTo(missesAfterWarm);
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void asyncLoadsRunOnTheGivenExecutorAndMakeTheKeyReady(Store store) throws Exception {
        try (KeyService keys = open(store)) {
            keys.ensureRings(List.of("c"), "test");
            keys.invalidateCache();
            int ring = keys.ringId("c");
            AtomicReference<String> thread = new AtomicReference<>();
            ExecutorService recording = Executors.newSingleThreadExecutor(r -> new Thread(() -> {
                thread.set(Thread.currentThread().getName());
                r.run();
            }, "loader"));
            try {
                keys.loadForDecryptionAsync(ring, 1, recording).get(30, TimeUnit.SECONDS);
                assertThat(thread.get()).isEqualTo("loader");
                assertThat(keys.readyToDecrypt(ring, 1)).isTrue();

                keys.invalidateCache();
                assertThat(keys.warmAsync(List.of("c"), BLOCKING).get(30, TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(keys.readyToEncrypt("c")).isTrue();
            } finally {
                recording.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void refusedRingsAreNeverReadyAndTheirLoadFailsOffTheEventLoop(Store store) {
        try (KeyService keys = open(store)) {
            keys.ensureRings(List.of("d"), "test");
            keys.warm(List.of("d"));
            int ring = keys.ringId("d");
            keys.scheduleDeletion("d", java.util.OptionalInt.empty(), null, "test");

            assertThat(keys.readyToEncrypt("d")).isFalse();
            assertThat(keys.readyToDecrypt(ring, 1)).isFalse();
            assertThatThrownBy(() -> keys.warm(List.of("d", "missing")))
                    .isInstanceOf(KeyUnavailableException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
            assertThat(keys.loadForDecryptionAsync(ring, 1, BLOCKING)).failsWithin(Duration.ofSeconds(30));
        }
    }
}
