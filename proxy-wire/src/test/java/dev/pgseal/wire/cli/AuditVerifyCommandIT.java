package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.KeystoreSettings;
import dev.pgseal.keys.SecretSource;
import dev.pgseal.keys.StoreSettings;
import dev.pgseal.keys.audit.AuditSettings;
import dev.pgseal.testing.hsm.SoftHsmToken;
import dev.pgseal.testing.hsm.TestStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./pgseal audit verify --config FILE --checkpoints FILE [--json]} as users run it, against a
 * real PostgreSQL store and the audit key on a SoftHSM2 token or in the software keystore: exit 0
 * and "intact" after a normal run, exit 1 naming the first bad event once the newest events are
 * deleted.
 */
class AuditVerifyCommandIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "keystore {0}")
    @ValueSource(strings = {"software", "pkcs11"})
    void verifyPrintsIntactThenNamesTheTruncatedTail(String type) throws Exception {
        StoreSettings store = TestStores.freshStore("audit_cli");
        KeystoreSettings keystore;
        String keystoreYaml;
        if (type.equals("software")) {
            Path pass = Files.writeString(dir.resolve("keystore.pass"), "cli test passphrase", StandardCharsets.UTF_8);
            keystore = new KeystoreSettings(KeystoreSettings.Type.SOFTWARE, Optional.empty(), Optional.empty(),
                    Optional.empty(), "mk-cli", Optional.of(dir.resolve("keys.p12")), Optional.of(SecretSource.file(pass)));
            keystoreYaml = "keystore: { type: software, file: keys.p12, passphrase_file: keystore.pass, "
                    + "master_key_label: mk-cli }\n";
        } else {
            SoftHsmToken token = SoftHsmToken.get();
            keystore = token.keystoreSettings("mk-cli");
            keystoreYaml = "keystore: { type: pkcs11, library: " + SoftHsmToken.LIBRARY + ", token_label: "
                    + token.label() + ", pin_file: " + token.pinFile() + ", master_key_label: mk-cli }\n";
        }
        Path config = Files.writeString(dir.resolve("pgseal.yaml"), "upstream: { host: 127.0.0.1, port: 5432 }\n"
                + keystoreYaml + "store: { url: \"" + store.jdbcUrl() + "\", user: " + store.user() + " }\n");
        Path checkpoints = dir.resolve("audit-checkpoints.jsonl");

        long events;
        try (KeyService service = KeyService.open(keystore, store, AuditSettings.checkpointsTo(checkpoints,
                Duration.ofHours(1)), Clock.systemUTC(), KeyCacheSettings.DEFAULT)) {
            service.createRing("patients", null, "admin");
            service.rotate("patients", "admin");
            events = service.checkpointAuditLog().orElseThrow().lastId();
        }

        MainTest.Result ok = MainTest.run("audit", "verify", "--config", config.toString(), "--checkpoints",
                checkpoints.toString(), "--json");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("{\"intact\":true,\"events\":" + events + ",\"unkeyed_events\":0,"
                + "\"keyed_from\":1,\"checkpoint\":{\"last_id\":" + events + ",");

        try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), null);
                Statement s = c.createStatement()) {
            s.executeUpdate("delete from pgseal.audit_log where id = " + events);
        }
        MainTest.Result broken = MainTest.run("audit", "verify", "--config", config.toString(), "--checkpoints",
                checkpoints.toString());
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.out()).startsWith("audit log broken at event " + events + ": event " + events
                + " was deleted: the checkpoint of ");

        MainTest.Result json = MainTest.run("audit", "verify", "--config", config.toString(), "--checkpoints",
                checkpoints.toString(), "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.out()).contains("\"intact\":false", "\"broken_at_id\":" + events, "a truncated tail");

        MainTest.Result noCheckpoints = MainTest.run("audit", "verify", "--config", config.toString());
        assertThat(noCheckpoints.exitCode()).as("without checkpoints the shorter chain looks whole").isZero();
        assertThat(noCheckpoints.out()).contains("note: no checkpoint file given");
    }
}
