package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.alerts.AlertSettings;
import dev.pgseal.keys.alerts.Alerts;
import dev.pgseal.wire.admin.AdminCertificate;
import dev.pgseal.wire.admin.AdminFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pgseal alerts list} as users run it, against an admin server on HTTPS (self-signed
 * certificate passed with {@code --cacert} or {@code PGSEAL_CACERT}): the table, {@code --json},
 * the filters, and exit codes 0, 1 and 2; and the other admin commands over HTTPS too.
 */
class AlertsCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static AdminCertificate certificate;
    static AdminFixture admin;
    static Alerts alerts;
    static String server;

    @BeforeAll
    static void start() throws Exception {
        certificate = AdminCertificate.generate(dir);
        admin = new AdminFixture(dir, certificate.settings());
        alerts = Alerts.start(AlertSettings.DEFAULT, admin.keys(), Clock.systemUTC());
        server = "https://127.0.0.1:" + admin.server().port();
        admin.keys().recordConfigChange(KeyService.SYSTEM_ACTOR, "policy /srv/policy.yaml", Map.of("keys", "p"));
        admin.keys().createRing("cli-alerts", null, "test");
        admin.keys().rotate("cli-alerts", "test");
        admin.keys().scheduleDeletion("cli-alerts", java.util.OptionalInt.of(1), Duration.ofDays(7), "test");
        assertThat(alerts.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    @AfterAll
    static void stop() {
        if (alerts != null) {
            alerts.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    @AfterEach
    void restore() {
        ServerOptions.environment = System::getenv;
        AlertsCommand.clock = Clock.systemUTC();
    }

    private static Path tokenFile(Role role) throws Exception {
        return Files.writeString(Files.createTempFile(dir, role.displayName(), ".token"), admin.token(role) + "\n",
                StandardCharsets.UTF_8);
    }

    private static MainTest.Result run(Role role, String... args) throws Exception {
        String[] full = new String[args.length + 6];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = server;
        full[args.length + 2] = "--token-file";
        full[args.length + 3] = tokenFile(role).toString();
        full[args.length + 4] = "--cacert";
        full[args.length + 5] = certificate.certificate().toString();
        return MainTest.run(full);
    }

    @Test
    void alertsListPrintsATableOverHttps() throws Exception {
        MainTest.Result r = run(Role.AUDITOR, "alerts", "list");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().findFirst().orElseThrow()).matches("AT +RULE +SUBJECT +MESSAGE");
        assertThat(r.out()).contains("config_change").contains("policy /srv/policy.yaml")
                .contains("deletion_scheduled").contains("ring:cli-alerts/v1");
    }

    @Test
    void alertsListFiltersAndPrintsJson() throws Exception {
        MainTest.Result r = run(Role.ADMIN, "alerts", "list", "--rule", "deletion_scheduled", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode alerts = JSON.readTree(r.out()).path("alerts");
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).path("subject").asText()).isEqualTo("ring:cli-alerts/v1");
        assertThat(alerts.get(0).path("details").path("actor").asText()).isEqualTo("test");

        MainTest.Result limited = run(Role.AUDITOR, "alerts", "list", "--limit", "1", "--json");
        assertThat(JSON.readTree(limited.out()).path("alerts")).hasSize(1);

        AlertsCommand.clock = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
        MainTest.Result none = run(Role.AUDITOR, "alerts", "list", "--since", "1h");
        assertThat(none.exitCode()).as(none.err()).isZero();
        assertThat(none.out()).contains("(no alerts)");
    }

    @Test
    void exitCodesFollowTheOtherAdminCommands() throws Exception {
        MainTest.Result refused = run(Role.OPERATOR, "alerts", "list");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("role operator may not call alerts.list").contains("HTTP 403");

        assertThat(run(Role.AUDITOR, "alerts", "list", "--rule", "everything").exitCode()).isEqualTo(2);
        assertThat(run(Role.AUDITOR, "alerts", "list", "--since", "last tuesday").exitCode()).isEqualTo(2);
        assertThat(run(Role.AUDITOR, "alerts", "list", "--limit", "0").exitCode()).isEqualTo(2);
        MainTest.Result badCa = MainTest.run("alerts", "list", "--server", server, "--token-file",
                tokenFile(Role.AUDITOR).toString(), "--cacert", dir.resolve("nope.pem").toString());
        assertThat(badCa.exitCode()).isEqualTo(2);
        assertThat(badCa.err()).contains("nope.pem");

        MainTest.Result help = MainTest.run("alerts", "list", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Example").contains("--cacert").contains("denied_requests");
    }

    @Test
    void withoutTheCertificateTheTlsHandshakeFailsAndPgsealCacertFixesIt() throws Exception {
        String token = tokenFile(Role.AUDITOR).toString();
        MainTest.Result untrusted = MainTest.run("alerts", "list", "--server", server, "--token-file", token);
        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(untrusted.err()).contains("TLS").contains("--cacert");

        ServerOptions.environment = name -> name.equals("PGSEAL_CACERT") ? certificate.certificate().toString()
                : System.getenv(name);
        MainTest.Result viaEnv = MainTest.run("alerts", "list", "--server", server, "--token-file", token);
        assertThat(viaEnv.exitCode()).as(viaEnv.err()).isZero();
        MainTest.Result keys = MainTest.run("keys", "list", "--server", "https://localhost:" + admin.server().port(),
                "--token-file", token);
        assertThat(keys.exitCode()).as(keys.err()).isZero();
        assertThat(keys.out()).contains("cli-alerts");
    }
}
