package dev.pgseal.wire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.wire.admin.AdminCertificate;
import dev.pgseal.wire.admin.AdminFixture;
import dev.pgseal.wire.admin.AdminServer;
import dev.pgseal.wire.admin.ClientCertificateAuthority;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pgseal tokens cert-add|cert-list|cert-revoke} offline against the store, and the admin
 * commands calling an HTTPS admin listener with {@code --cert} and {@code --key} and no token.
 */
class ClientCertificateCommandsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static AdminCertificate serverCertificate;
    static ClientCertificateAuthority ca;
    static AdminFixture admin;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        serverCertificate = AdminCertificate.generate(dir);
        ca = ClientCertificateAuthority.create(dir, "cli-client-ca");
        admin = new AdminFixture(dir, AdminServer.Settings.DEFAULT.withTls(AdminServer.serverTls(
                serverCertificate.certificate(), serverCertificate.privateKey(), Optional.of(ca.certificate()))));
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

    private static MainTest.Result keysList(ClientCertificateAuthority.Issued identity) {
        return MainTest.run("keys", "list", "--server", "https://127.0.0.1:" + admin.server().port(), "--cacert",
                serverCertificate.certificate().toString(), "--cert", identity.certificate().toString(), "--key",
                identity.privateKey().toString());
    }

    @Test
    void aCertificateRegisteredOfflineLetsTheCliCallWithoutTokenUntilItIsRevoked() throws Exception {
        ServerOptions.environment = name -> null; // no PGSEAL_TOKEN: the certificate alone
        ClientCertificateAuthority.Issued alice = ca.issue("alice-cli");
        String fingerprint = alice.fingerprint();

        MainTest.Result add = MainTest.run("tokens", "cert-add", "--config", config.toString(), "--principal",
                "alice-cli", "--role", "auditor", "--cert", alice.certificate().toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).contains("registered certificate " + fingerprint).contains("alice-cli (role auditor)");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, null, "certificate.add", 1)).get(0).actor())
                .startsWith("local:");

        MainTest.Result listed = keysList(alice);
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "alice-cli", "api.keys.list", 1))).hasSize(1);

        MainTest.Result certs = MainTest.run("tokens", "cert-list", "--config", config.toString(), "--json");
        assertThat(certs.exitCode()).as(certs.err()).isZero();
        JsonNode row = null;
        for (JsonNode n : JSON.readTree(certs.out()).path("certificates")) {
            if (n.path("fingerprint").asText().equals(fingerprint)) {
                row = n;
            }
        }
        assertThat(row).as(certs.out()).isNotNull();
        assertThat(row.path("principal").asText()).isEqualTo("alice-cli");
        assertThat(row.path("subject").asText()).isEqualTo("CN=alice-cli");
        assertThat(MainTest.run("tokens", "cert-list", "--config", config.toString()).out()).contains(fingerprint);

        MainTest.Result revoked = MainTest.run("tokens", "cert-revoke", "--config", config.toString(),
                fingerprint.substring(0, 16));
        assertThat(revoked.exitCode()).as(revoked.err()).isZero();
        assertThat(revoked.out()).contains("revoked certificate " + fingerprint + " of alice-cli");

        MainTest.Result refused = keysList(alice);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("HTTP 401");
    }

    @Test
    void refusedRegistrationsAndRevocationsExitOne() throws Exception {
        ClientCertificateAuthority.Issued issued = ca.issue("auditor-p");
        MainTest.Result mismatch = MainTest.run("tokens", "cert-add", "--config", config.toString(), "--principal",
                AdminFixture.principal(Role.AUDITOR), "--role", "admin", "--cert", issued.certificate().toString());
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.err()).contains("exists with role auditor");

        MainTest.Result unknown = MainTest.run("tokens", "cert-revoke", "--config", config.toString(),
                "00112233445566778899aabbccddeeff");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no certificate registered");
    }

    @Test
    void badUsageExitsTwo() throws Exception {
        ClientCertificateAuthority.Issued issued = ca.issue("usage");
        MainTest.Result notACertificate = MainTest.run("tokens", "cert-add", "--config", config.toString(),
                "--principal", "usage", "--role", "admin", "--cert", issued.privateKey().toString());
        assertThat(notACertificate.exitCode()).isEqualTo(2);
        assertThat(notACertificate.err()).contains("--cert");

        MainTest.Result noKey = MainTest.run("keys", "list", "--server", "https://127.0.0.1:" + admin.server().port(),
                "--cert", issued.certificate().toString());
        assertThat(noKey.exitCode()).isEqualTo(2);
        assertThat(noKey.err()).contains("--cert and --key go together");

        MainTest.Result plainHttp = MainTest.run("keys", "list", "--server", "http://127.0.0.1:1", "--cert",
                issued.certificate().toString(), "--key", issued.privateKey().toString());
        assertThat(plainHttp.exitCode()).isEqualTo(2);
        assertThat(plainHttp.err()).contains("need an https:// --server");

        MainTest.Result keyIsCertificate = MainTest.run("keys", "list", "--server", "https://127.0.0.1:1", "--cert",
                issued.certificate().toString(), "--key", issued.certificate().toString());
        assertThat(keyIsCertificate.exitCode()).isEqualTo(2);
        assertThat(keyIsCertificate.err()).contains("PKCS#8");
    }
}
