package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyWatcherTest {

    private static String policy(String readers) {
        return """
                version: 1
                keys: [{name: k}]
                tables:
                  - name: t
                    primary_key: id
                    columns: [{name: c, type: text, key: k, readers: [%s]}]
                  - name: u
                    primary_key: id
                    columns: [{name: c, type: text, key: k, readers: [app]}]
                """.formatted(readers);
    }

    @Test
    void swapsInAValidChangeAndTellsListenersWhichTablesChanged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, policy("app"));
        List<Set<QualifiedName>> notified = new CopyOnWriteArrayList<>();
        try (PolicyWatcher watcher = PolicyWatcher.start(file, Duration.ofMillis(50), false)) {
            watcher.addListener((before, after, changed) -> notified.add(changed));
            Policy first = watcher.current();
            assertThat(first.table("public", "t").orElseThrow().column("c").orElseThrow().canRead("doctor")).isFalse();

            Files.writeString(file, policy("app, doctor"));
            ReloadOutcome outcome = watcher.reload();

            assertThat(outcome).isEqualTo(new ReloadOutcome.Applied(Set.of(QualifiedName.parse("t")), List.of()));
            assertThat(watcher.current().table("public", "t").orElseThrow().column("c").orElseThrow().canRead("doctor"))
                    .isTrue();
            assertThat(notified).containsExactly(Set.of(QualifiedName.parse("t")));
        }
    }

    @Test
    void keepsTheOldPolicyWhenTheNewFileIsInvalid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, policy("app"));
        List<Set<QualifiedName>> notified = new CopyOnWriteArrayList<>();
        try (PolicyWatcher watcher = PolicyWatcher.start(file, Duration.ofMillis(50), false)) {
            watcher.addListener((before, after, changed) -> notified.add(changed));
            Policy first = watcher.current();

            Files.writeString(file, policy("app").replace("type: text", "typ: text"));
            ReloadOutcome outcome = watcher.reload();

            assertThat(outcome).isInstanceOf(ReloadOutcome.Rejected.class);
            assertThat(((ReloadOutcome.Rejected) outcome).errors()).extracting(d -> d.message())
                    .contains("unknown key 'typ' (did you mean 'type'?)");
            assertThat(watcher.current()).isSameAs(first);
            assertThat(notified).isEmpty();

            Files.delete(file);
            assertThat(watcher.reload()).isInstanceOf(ReloadOutcome.Rejected.class);
            assertThat(watcher.current()).isSameAs(first);
        }
    }

    @Test
    void reportsNoChangeWhenTheFileMeansTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, policy("app"));
        try (PolicyWatcher watcher = PolicyWatcher.start(file, Duration.ofMillis(50), false)) {
            Files.writeString(file, "# a comment changes nothing\n" + policy("app"));
            assertThat(watcher.reload()).isEqualTo(new ReloadOutcome.Unchanged());
        }
    }

    @Test
    void refusesToStartOnAnInvalidFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "version: 2\n");
        assertThatThrownBy(() -> PolicyWatcher.start(file)).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("policy.yaml:1:10: unsupported version 2");
    }

    @Test
    void reloadsByItselfWhenAnEditorReplacesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, policy("app"));
        CountDownLatch changed = new CountDownLatch(1);
        try (PolicyWatcher watcher = PolicyWatcher.start(file, Duration.ofMillis(50), true)) {
            watcher.addListener((before, after, tables) -> changed.countDown());
            // an editor's save: write a temporary file, then rename it over the original
            Path temp = dir.resolve("policy.yaml.tmp");
            Files.writeString(temp, policy("app, doctor"));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            // a generous bound only so a broken watcher fails the build instead of hanging it
            assertThat(changed.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(watcher.current().table("public", "t").orElseThrow().column("c").orElseThrow().canRead("doctor"))
                    .isTrue();
        }
    }
}
