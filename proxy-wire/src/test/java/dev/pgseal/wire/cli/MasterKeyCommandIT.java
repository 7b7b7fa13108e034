package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.KeyState;
import dev.pgseal.keys.SecretBytes;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.access.Totp;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.wire.admin.AdminFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./pgseal tokens totp-enroll|totp-list|totp-remove} offline against the store and
 * {@code ./pgseal master-key list|rotate} and the {@code --otp} of dangerous key commands against a
 * running admin server, as users run them: a principal made and enrolled with the CLI, its codes
 * computed from the secret the CLI printed, tables, {@code --json} and exit codes 0, 1 and 2.
 */
class MasterKeyCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET = Pattern.compile("(?m)^secret: ([A-Z2-7]+)$");

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

    private static Path tokenFile(String token) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "t", ".token"), token + "\n", StandardCharsets.UTF_8);
    }

    private static MainTest.Result with(String token, String... args) throws Exception {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = admin.baseUrl();
        full[args.length + 2] = "--token-file";
        full[args.length + 3] = tokenFile(token).toString();
        return MainTest.run(full);
    }

    /** The code of the next time step (the server's clock moves there), from the secret the CLI printed. */
    private static String nextCode(SecretBytes secret) {
        admin.clock().advance(Totp.DEFAULT.step());
        return Totp.DEFAULT.code(secret, Totp.DEFAULT.stepAt(admin.clock().instant()));
    }

    @Test
    void aPrincipalEnrolledWithTheCliRotatesTheMasterKeyWithItsCode() throws Exception {
        MainTest.Result made = MainTest.run("tokens", "create", "--config", config.toString(), "--role", "admin",
                "--name", "carol");
        assertThat(made.exitCode()).as(made.err()).isZero();
        String token = made.out().strip();

        MainTest.Result enrolled = MainTest.run("tokens", "totp-enroll", "--config", config.toString(), "--principal",
                "carol");
        assertThat(enrolled.exitCode()).as(enrolled.err()).isZero();
        assertThat(enrolled.out()).startsWith("otpauth://totp/pgseal:carol?secret=").contains("&issuer=pgseal&algorithm="
                + "SHA1&digits=6&period=30\nsecret: ");
        assertThat(enrolled.err()).contains("shown once");
        Matcher m = SECRET.matcher(enrolled.out());
        assertThat(m.find()).isTrue();
        SecretBytes secret = Totp.parseBase32(m.group(1));
        assertThat(admin.keys().auditEvents(new AuditQuery(null, null, "totp.enroll", 1)).get(0).actor())
                .startsWith("local:");

        String old = admin.keys().currentMasterKeyLabel();
        MainTest.Result rotated = with(token, "master-key", "rotate", "--otp", nextCode(secret));
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        String fresh = admin.keys().currentMasterKeyLabel();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(rotated.out()).startsWith("rotated the master key from " + old + " to " + fresh + "\n"
                + "LABEL").containsPattern("(?m)^" + Pattern.quote(fresh) + " +\\* +\\d+ +"
                        + admin.keys().totpEnrollments().list().size() + "$");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "carol", "master_key.rotate", 1))).hasSize(1);

        // The same code a second time: refused by the server, exit code 1 and the reason.
        admin.keys().createRing("carol-ring", null, "test-setup");
        admin.keys().rotate("carol-ring", "test-setup");
        String code = nextCode(secret);
        assertThat(with(token, "keys", "compromise", "carol-ring", "1", "--otp", code).exitCode()).isZero();
        MainTest.Result replay = with(token, "keys", "schedule-deletion", "carol-ring", "--days", "7", "--otp", code);
        assertThat(replay.exitCode()).isEqualTo(1);
        assertThat(replay.err()).isEqualTo("pgseal: second factor refused: TOTP code already used: each code is "
                + "accepted once; wait for the next one (HTTP 403 forbidden)\n");
        assertThat(admin.keys().ring("carol-ring").orElseThrow().version(1).orElseThrow().state())
                .isEqualTo(KeyState.COMPROMISED);

        // PGSEAL_OTP instead of --otp.
        String envCode = nextCode(secret);
        ServerOptions.environment = name -> name.equals("PGSEAL_OTP") ? envCode : null;
        MainTest.Result scheduled = with(token, "keys", "schedule-deletion", "carol-ring", "1", "--days", "7");
        assertThat(scheduled.exitCode()).as(scheduled.err()).isZero();

        MainTest.Result listed = MainTest.run("tokens", "totp-list", "--config", config.toString());
        assertThat(listed.exitCode()).isZero();
        assertThat(listed.out()).startsWith("PRINCIPAL").containsPattern("(?m)^carol +\\S+ +local:\\S+ +\\S+Z +0 +-$")
                .doesNotContain(m.group(1));
    }

    @Test
    void masterKeyListPrintsATableOrJsonForEveryReadingRole() throws Exception {
        for (Role r : new Role[] {Role.ADMIN, Role.OPERATOR, Role.AUDITOR}) {
            MainTest.Result table = with(admin.token(r), "master-key", "list");
            assertThat(table.exitCode()).as(table.err()).isZero();
            assertThat(table.out()).startsWith("LABEL").contains("CURRENT  DATA KEY VERSIONS  TOTP SECRETS")
                    .containsPattern("(?m)^" + Pattern.quote(admin.keys().currentMasterKeyLabel()) + " +\\* ");
        }
        MainTest.Result json = with(admin.token(Role.AUDITOR), "master-key", "list", "--json");
        JsonNode body = JSON.readTree(json.out());
        assertThat(body.path("current").asText()).isEqualTo(admin.keys().currentMasterKeyLabel());
        assertThat(body.path("master_keys").isArray()).isTrue();

        MainTest.Result app = with(admin.token(Role.APP), "master-key", "list");
        assertThat(app.exitCode()).isEqualTo(1);
        assertThat(app.err()).isEqualTo("pgseal: role app may not call master-keys.list (allowed: admin, operator, "
                + "auditor) (HTTP 403 forbidden)\n");
    }

    @Test
    void aDangerousCommandWithoutACodeIsRefusedWithTheReasonAndABadCodeIsBadUsage() throws Exception {
        ServerOptions.environment = name -> null;
        String old = admin.keys().currentMasterKeyLabel();
        MainTest.Result none = with(admin.token(Role.ADMIN), "master-key", "rotate");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("pgseal: second factor refused: no TOTP code: send the current 6-digit code of "
                + "principal admin-p in the X-Pgseal-Otp header (CLI: --otp CODE or PGSEAL_OTP) (HTTP 403 forbidden)\n");
        assertThat(admin.keys().currentMasterKeyLabel()).isEqualTo(old);

        MainTest.Result operator = with(admin.token(Role.OPERATOR), "master-key", "rotate", "--otp",
                admin.otp(Role.OPERATOR));
        assertThat(operator.exitCode()).isEqualTo(1);
        assertThat(operator.err()).contains("role operator may not call master-keys.rotate (allowed: admin)");

        MainTest.Result bad = with(admin.token(Role.ADMIN), "master-key", "rotate", "--otp", "12ab56");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("pgseal: --otp: a TOTP code is 6 digits\n");
        assertThat(admin.keys().currentMasterKeyLabel()).isEqualTo(old);
    }

    @Test
    void enrolmentCommandsRefuseWhatTheyCannotDoWithExitCode1() throws Exception {
        MainTest.Result ghost = MainTest.run("tokens", "totp-enroll", "--config", config.toString(), "--principal",
                "ghost");
        assertThat(ghost.exitCode()).isEqualTo(1);
        assertThat(ghost.err()).contains("pgseal: no principal named ghost: create a token for it first");

        MainTest.Result twice = MainTest.run("tokens", "totp-enroll", "--config", config.toString(), "--principal",
                "auditor-p");
        assertThat(twice.exitCode()).isEqualTo(1);
        assertThat(twice.err()).contains("pgseal: principal auditor-p is already enrolled (since ");
        assertThat(twice.out()).isEmpty();

        MainTest.Result replaced = MainTest.run("tokens", "totp-enroll", "--config", config.toString(), "--principal",
                "app-p", "--replace", "--json");
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        JsonNode json = JSON.readTree(replaced.out());
        assertThat(json.path("principal").asText()).isEqualTo("app-p");
        assertThat(json.path("otpauth_uri").asText()).contains("secret=" + json.path("secret").asText());

        MainTest.Result removed = MainTest.run("tokens", "totp-remove", "--config", config.toString(), "--principal",
                "app-p");
        assertThat(removed.exitCode()).as(removed.err()).isZero();
        assertThat(removed.out()).isEqualTo("removed the TOTP enrolment of app-p\n");
        assertThat(MainTest.run("tokens", "totp-remove", "--config", config.toString(), "--principal", "app-p")
                .exitCode()).isEqualTo(1);
        assertThat(MainTest.run("tokens", "totp-enroll", "--principal", "x").exitCode()).as("--config is required")
                .isEqualTo(2);
    }

    @ParameterizedTest(name = "pgseal {0} --help")
    @ValueSource(strings = {"master-key", "master-key list", "master-key rotate", "tokens totp-enroll",
        "tokens totp-list", "tokens totp-remove", "keys compromise", "keys schedule-deletion"})
    void everyCommandHasHelpWithAnExample(String command) {
        MainTest.Result r = MainTest.run((command + " --help").split(" "));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: pgseal " + command).contains("Example");
    }
}
