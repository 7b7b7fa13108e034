package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.wire.admin.AdminFixture;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./pgseal keys …} and {@code ./pgseal tokens …} as users run them, against a running admin
 * server (key service on the software keystore, real PostgreSQL store): the first token made
 * offline, then every key command with tables, {@code --json}, and exit codes 0, 1 and 2.
 */
class AdminCommandsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static AdminFixture admin;
    static Path config;

    @BeforeAll
    static void start() {
        admin = new AdminFixture(dir);
        config = admin.configFile();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    @AfterEach
    void restoreEnvironment() {
        ServerOptions.environment = System::getenv;
    }

    private static Path tokenFile(Role role) throws Exception {
        return Files.writeString(Files.createTempFile(dir, role.displayName(), ".token"), admin.token(role) + "\n",
                StandardCharsets.UTF_8);
    }

    private static MainTest.Result as(Role role, String... args) throws Exception {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = admin.baseUrl();
        full[args.length + 2] = "--token-file";
        full[args.length + 3] = tokenFile(role).toString();
        return MainTest.run(full);
    }

    @Test
    void theFirstTokenIsMadeOfflineAndWorksAgainstTheServer() throws Exception {
        MainTest.Result made = MainTest.run("tokens", "create", "--config", config.toString(), "--role", "admin",
                "--name", "first-admin");
        assertThat(made.exitCode()).as(made.err()).isZero();
        String token = made.out().strip();
        assertThat(token).matches("pgs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(made.err()).contains("shown once");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, null, "token.create", 1)).get(0).actor())
                .startsWith("local:");

        ServerOptions.environment = name -> name.equals("PGSEAL_TOKEN") ? token : null;
        MainTest.Result list = MainTest.run("keys", "list", "--server", admin.baseUrl());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("RING");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "first-admin", "api.keys.list", 1))).hasSize(1);

        MainTest.Result tokens = MainTest.run("tokens", "list", "--config", config.toString());
        assertThat(tokens.exitCode()).isZero();
        assertThat(tokens.out()).contains("first-admin").contains("admin").doesNotContain(token);
    }

    @Test
    void everyKeyCommandWorksAsAdminWithTablesAndJson() throws Exception {
        MainTest.Result created = as(Role.ADMIN, "keys", "create", "cli-ring", "--rotation", "90d");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).startsWith("created key ring cli-ring\nring cli-ring (id ")
                .contains("primary version 1, latest 1, min decryption version 1, rotation 90d");

        MainTest.Result rotated = as(Role.OPERATOR, "keys", "rotate", "cli-ring");
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        assertThat(rotated.out()).isEqualTo("rotated key ring cli-ring: primary version is now 2\n");
        as(Role.ADMIN, "keys", "rotate", "cli-ring");

        assertThat(as(Role.ADMIN, "keys", "compromise", "cli-ring", "1", "--otp", admin.otp(Role.ADMIN)).out())
                .isEqualTo("key ring cli-ring version 1 marked compromised\n");
        MainTest.Result scheduled = as(Role.ADMIN, "keys", "schedule-deletion", "cli-ring", "2", "--days", "7", "--otp",
                admin.otp(Role.ADMIN));
        assertThat(scheduled.exitCode()).as(scheduled.err()).isZero();
        assertThat(scheduled.out()).startsWith("deletion of key ring cli-ring version 2 scheduled for ");
        assertThat(as(Role.ADMIN, "keys", "cancel-deletion", "cli-ring", "2").out())
                .isEqualTo("deletion of key ring cli-ring version 2 cancelled\n");
        admin.keys().addVersion("cli-ring", "test-setup");
        assertThat(as(Role.ADMIN, "keys", "deactivate", "cli-ring", "4").exitCode()).isZero();

        MainTest.Result shown = as(Role.AUDITOR, "keys", "show", "cli-ring");
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out()).contains("VERSION  STATE").containsPattern("(?m)^1 +compromised")
                .containsPattern("(?m)^2 +deactivated").containsPattern("(?m)^3 +active +\\*").containsPattern("(?m)^4 +deactivated");

        MainTest.Result json = as(Role.AUDITOR, "keys", "show", "cli-ring", "--json");
        JsonNode ring = JSON.readTree(json.out()).path("ring");
        assertThat(ring.path("primary_version").asInt()).isEqualTo(3);
        assertThat(ring.path("rotation_period_seconds").asLong()).isEqualTo(90L * 86_400);
        assertThat(admin.keys().ring("cli-ring").orElseThrow().version(1).orElseThrow().state())
                .isEqualTo(KeyState.COMPROMISED);

        MainTest.Result listJson = as(Role.OPERATOR, "keys", "list", "--json");
        assertThat(JSON.readTree(listJson.out()).path("rings").isArray()).isTrue();
        MainTest.Result table = as(Role.OPERATOR, "keys", "list");
        assertThat(table.out()).containsPattern("(?m)^cli-ring +3 +active +\\* +\\d+ +90d ");
    }

    @Test
    void keyTypesGrantsTheMinimumDecryptionVersionAndDestroyFromTheCli() throws Exception {
        MainTest.Result created = as(Role.ADMIN, "keys", "create", "cli-signing", "--type", "ed25519");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("ring cli-signing (id ").contains(", ed25519)");

        String app = AdminFixture.principal(Role.APP);
        assertThat(as(Role.ADMIN, "keys", "grants", "cli-signing").out()).contains("(no grants");
        MainTest.Result granted = as(Role.ADMIN, "keys", "grant", "cli-signing", app, "--operations", "sign,verify");
        assertThat(granted.exitCode()).as(granted.err()).isZero();
        assertThat(granted.out()).isEqualTo("granted " + app + " on key ring cli-signing: sign,verify\n");
        assertThat(as(Role.AUDITOR, "keys", "grants", "cli-signing").out())
                .containsPattern("(?m)^" + app + " +sign,verify ");
        assertThat(admin.send("POST", "/v1/keys/cli-signing/sign", "{\"message\":\"aGk=\"}", admin.token(Role.APP))
                .status()).isEqualTo(200);
        assertThat(as(Role.ADMIN, "keys", "revoke-grant", "cli-signing", app).exitCode()).isZero();
        assertThat(admin.send("POST", "/v1/keys/cli-signing/sign", "{\"message\":\"aGk=\"}", admin.token(Role.APP))
                .status()).isEqualTo(403);
        assertThat(as(Role.OPERATOR, "keys", "grant", "cli-signing", app).exitCode()).as("operators may not grant")
                .isEqualTo(1);

        as(Role.ADMIN, "keys", "create", "cli-old");
        as(Role.ADMIN, "keys", "rotate", "cli-old");
        as(Role.ADMIN, "keys", "rotate", "cli-old");
        assertThat(as(Role.ADMIN, "keys", "min-decryption-version", "cli-old", "2").exitCode())
                .as("a dangerous operation without a code").isEqualTo(1);
        MainTest.Result min = as(Role.ADMIN, "keys", "min-decryption-version", "cli-old", "2", "--otp",
                admin.otp(Role.ADMIN));
        assertThat(min.exitCode()).as(min.err()).isZero();
        assertThat(min.out()).isEqualTo("key ring cli-old: minimum decryption version is now 2\n");

        assertThat(as(Role.ADMIN, "keys", "destroy", "cli-old", "--otp", admin.otp(Role.ADMIN)).exitCode())
                .as("nothing is due").isEqualTo(1);
        as(Role.ADMIN, "keys", "schedule-deletion", "cli-old", "1", "--days", "7", "--otp", admin.otp(Role.ADMIN));
        admin.makeDeletionsDue("cli-old");
        MainTest.Result destroyed = as(Role.ADMIN, "keys", "destroy", "cli-old", "--otp", admin.otp(Role.ADMIN));
        assertThat(destroyed.exitCode()).as(destroyed.err()).isZero();
        assertThat(destroyed.out()).startsWith("destroyed ").contains("cli-old");
        assertThat(admin.keys().ring("cli-old").orElseThrow().version(1).orElseThrow().state())
                .isEqualTo(KeyState.DESTROYED);
    }

    @Test
    void aRefusedCallExitsWith1AndSaysWhy() throws Exception {
        admin.keys().createRing("refused-ring", null, "test-setup");
        MainTest.Result r = as(Role.AUDITOR, "keys", "rotate", "refused-ring");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("pgseal: role auditor may not call keys.rotate (allowed: admin, operator) "
                + "(HTTP 403 forbidden)\n");
        assertThat(r.out()).isEmpty();

        MainTest.Result json = as(Role.APP, "keys", "list", "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(JSON.readTree(json.out()).path("error").asText()).isEqualTo("forbidden");

        MainTest.Result conflict = as(Role.ADMIN, "keys", "deactivate", "refused-ring", "1");
        assertThat(conflict.exitCode()).isEqualTo(1);
        assertThat(conflict.err()).contains("is the primary version").contains("(HTTP 409 conflict)");

        MainTest.Result missing = as(Role.ADMIN, "keys", "show", "no-such");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("pgseal: no key ring named no-such (HTTP 404 not_found)\n");
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnce() throws Exception {
        String token = admin.keys().accessTokens().create("cli-victim", Role.OPERATOR, "test-setup").secretText();
        String id = token.split("_")[1];
        ServerOptions.environment = name -> name.equals("PGSEAL_TOKEN") ? token : null;
        assertThat(MainTest.run("keys", "list", "--server", admin.baseUrl()).exitCode()).isZero();

        MainTest.Result revoked = as(Role.ADMIN, "tokens", "revoke", id);
        assertThat(revoked.exitCode()).as(revoked.err()).isZero();
        assertThat(revoked.out()).isEqualTo("revoked token " + id + " of cli-victim\n");

        MainTest.Result after = MainTest.run("keys", "list", "--server", admin.baseUrl());
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.err()).contains("(HTTP 401 unauthorized)");

        MainTest.Result again = MainTest.run("tokens", "revoke", id, "--config", config.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already revoked");
    }

    @Test
    void tokensCanBeManagedThroughTheServerToo() throws Exception {
        MainTest.Result made = as(Role.ADMIN, "tokens", "create", "--role", "auditor", "--name", "remote-made");
        assertThat(made.exitCode()).as(made.err()).isZero();
        assertThat(admin.keys().accessTokens().authenticate(made.out().strip()).principal().role()).isEqualTo(Role.AUDITOR);
        MainTest.Result list = as(Role.ADMIN, "tokens", "list", "--json");
        assertThat(JSON.readTree(list.out()).path("tokens").toString()).contains("remote-made");
        assertThat(as(Role.OPERATOR, "tokens", "list").exitCode()).isEqualTo(1);
    }

    @Test
    void theOfflineKeysListingStillWorks() {
        admin.keys().createRing("offline-ring", null, "test-setup");
        MainTest.Result r = MainTest.run("keys", "list", "--config", config.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("RING").contains("offline-ring");
        MainTest.Result json = MainTest.run("keys", "list", "--config", config.toString(), "--json");
        assertThat(json.out()).contains("\"name\" : \"offline-ring\"");
    }

    @Test
    void usageErrorsExitWith2() {
        ServerOptions.environment = name -> null;
        MainTest.Result noToken = MainTest.run("keys", "list", "--server", admin.baseUrl());
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.err()).startsWith("pgseal: no token: set PGSEAL_TOKEN or pass --token-file FILE");

        assertThat(MainTest.run("keys", "rotate").exitCode()).isEqualTo(2);
        assertThat(MainTest.run("keys", "schedule-deletion", "x").exitCode()).isEqualTo(2);
        assertThat(MainTest.run("tokens", "create", "--role", "root", "--name", "x", "--config", "x.yaml").exitCode())
                .isEqualTo(2);
        ServerOptions.environment = name -> "pgs_x";
        assertThat(MainTest.run("keys", "list", "--server", "ftp://host").exitCode()).isEqualTo(2);
    }

    @Test
    void anUnreachableServerExitsWith1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ServerOptions.environment = name -> admin.token(Role.ADMIN);
        MainTest.Result r = MainTest.run("keys", "list", "--server", "http://127.0.0.1:" + port);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("pgseal: cannot reach the admin API at http://127.0.0.1:" + port);
    }

    @ParameterizedTest(name = "pgseal {0} --help")
    @ValueSource(strings = {"keys", "keys list", "keys show", "keys create", "keys rotate", "keys deactivate",
        "keys compromise", "keys schedule-deletion", "keys cancel-deletion", "keys min-decryption-version",
        "keys destroy", "keys grants", "keys grant", "keys revoke-grant", "tokens", "tokens create", "tokens list",
        "tokens revoke"})
    void everyCommandHasHelpWithAnExample(String command) {
        MainTest.Result r = MainTest.run((command + " --help").split(" "));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: pgseal " + command).contains("Example");
    }

}
