package dev.pgseal.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.EncryptionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One cipher shared by several threads (per-thread JDK ciphers, shared POLYVAL tables). */
class ConcurrentEnvelopeTest {

    @Test
    void threadsSharingOneCipherGetCorrectAndRepeatableResults() throws Exception {
        ColumnCipher cipher = ColumnCipher.create(new InMemoryKeyResolver().ring("r", 1, 1, 2));
        ColumnIdentity column = ColumnIdentity.of("s", "t", "c");
        byte[] probe = {1, 2, 3};
        byte[] expected = cipher.encrypt(column, EncryptionMode.DETERMINISTIC, "r", probe);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                tasks.add(() -> {
                    Random random = new Random(seed);
                    int done = 0;
                    for (int i = 0; i < 2000; i++) {
                        byte[] value = new byte[random.nextInt(64)];
                        random.nextBytes(value);
                        EncryptionMode mode = EncryptionMode.values()[i % 2];
                        byte[] envelope = cipher.encrypt(column, mode, "r", value);
                        assertThat(cipher.decrypt(column, "r", envelope)).isEqualTo(value);
                        assertThat(cipher.encrypt(column, EncryptionMode.DETERMINISTIC, "r", probe)).isEqualTo(expected);
                        done++;
                    }
                    return done;
                });
            }
            int total = 0;
            // a bound so that a deadlock in the shared state fails the test instead of hanging the build
            for (Future<Integer> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                assertThat(f.isCancelled()).as("a thread did not finish within 60 s").isFalse();
                total += f.get();
            }
            assertThat(total).isEqualTo(8000);
        } finally {
            pool.shutdownNow();
        }
    }
}
