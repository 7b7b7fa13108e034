package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.access.AccessException;
import dev.pgseal.keys.access.ClientCertificates;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.audit.AuditEvent;
import dev.pgseal.keys.audit.AuditQuery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates on the admin listener ({@code admin.tls.client_ca}): real TLS, certificates
 * made by openssl CAs, a real PostgreSQL store. The CA verifies a certificate in the handshake; only
 * a registration says whose it is; revocation holds at once; a token and a certificate together must
 * name one principal; roles and the second factor apply as for tokens.
 */
class AdminClientCertificateIT {

    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dir;

    static AdminCertificate serverCertificate;
    static ClientCertificateAuthority ca;
    static ClientCertificateAuthority otherCa;
    static AdminFixture admin;

    @BeforeAll
    static void start() throws Exception {
        serverCertificate = AdminCertificate.generate(dir);
        ca = ClientCertificateAuthority.create(dir, "pgseal-test-client-ca");
        otherCa = ClientCertificateAuthority.create(dir, "some-other-ca");
        admin = new AdminFixture(dir, AdminServer.Settings.DEFAULT.withTls(AdminServer.serverTls(
                serverCertificate.certificate(), serverCertificate.privateKey(), Optional.of(ca.certificate()))));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    private static String fresh(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    private static HttpClient client(ClientCertificateAuthority.Issued identity) throws Exception {
        SSLContext ctx = identity == null ? ClientCertificateAuthority.context(serverCertificate.certificate(), null)
                : identity.context(serverCertificate.certificate());
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> send(HttpClient http, String method, String path, String token, String otp)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + admin.server().port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (otp != null) {
            b.header("X-Pgseal-Otp", otp);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(ClientCertificateAuthority.Issued identity, String token) throws Exception {
        return send(client(identity), "GET", "/v1/keys", token, null);
    }

    /** A certificate of {@code ca} registered to a new principal with {@code role}. */
    private static Registered registered(Role role) throws Exception {
        String name = fresh(role.displayName() + "-cert");
        ClientCertificateAuthority.Issued issued = ca.issue(name);
        admin.keys().accessTokens().clientCertificates().register(name, role, issued.x509(), "test-setup");
        return new Registered(name, issued);
    }

    record Registered(String principal, ClientCertificateAuthority.Issued issued) {
    }

    private static AuditQuery.Entry lastRequestOf(String actor) {
        List<AuditQuery.Entry> events = admin.keys().auditEvents(new AuditQuery(null, actor, "api.*", 1));
        assertThat(events).as("audit events of " + actor).hasSize(1);
        return events.get(0);
    }

    /** The newest anonymous refusal, whose details name the certificate presented. */
    private static AuditQuery.Entry lastRefusalOf(String fingerprint) {
        String id = ClientCertificates.credentialId(fingerprint);
        return admin.keys().auditEvents(new AuditQuery(null, "anonymous", "api.*", 50)).stream()
                .filter(e -> id.equals(e.details().get("certificate"))).findFirst()
                .orElseThrow(() -> new AssertionError("no anonymous refusal with certificate " + id));
    }

    @Test
    void aRegisteredCertificateAloneAuthenticatesItsPrincipalWithItsRole() throws Exception {
        Registered alice = registered(Role.AUDITOR);

        HttpResponse<String> r = get(alice.issued(), null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"rings\"");
        AuditQuery.Entry event = lastRequestOf(alice.principal());
        assertThat(event.action()).isEqualTo("api.keys.list");
        assertThat(event.details()).containsEntry("role", "auditor")
                .containsEntry("token", "cert:" + alice.issued().fingerprint().substring(0, 16));
    }

    @Test
    void theRoleOfTheCertificatesPrincipalStillLimitsIt() throws Exception {
        Registered app = registered(Role.APP);

        HttpResponse<String> r = get(app.issued(), null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).contains("role app may not call keys.list");
        assertThat(lastRequestOf(app.principal()).outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
    }

    @Test
    void aCertificateTheCaIssuedButNobodyRegisteredAuthenticatesNobody() throws Exception {
        ClientCertificateAuthority.Issued stranger = ca.issue(fresh("stranger"));

        HttpResponse<String> r = get(stranger, null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("registered client certificate").doesNotContain(stranger.fingerprint());
        assertThat((String) lastRefusalOf(stranger.fingerprint()).details().get("reason"))
                .contains("is not registered to any principal");
    }

    @Test
    void aCertificateOfAnotherCaFailsTheHandshakeEvenWhenItsFingerprintIsRegistered() throws Exception {
        String name = fresh("other-ca");
        ClientCertificateAuthority.Issued foreign = otherCa.issue(name);
        // Registered: the CA check alone must keep it out.
        admin.keys().accessTokens().clientCertificates().register(name, ADMIN, foreign.x509(), "test-setup");

        assertThatThrownBy(() -> get(foreign, null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(foreign, admin.token(ADMIN))).as("not even with a valid token")
                .isInstanceOf(IOException.class);
    }

    @Test
    void anExpiredCertificateFailsTheHandshakeAndCannotBeRegistered() throws Exception {
        Instant now = Instant.now();
        ClientCertificateAuthority.Issued expired = ca.issue(fresh("expired"), now.minusSeconds(3 * 86400),
                now.minusSeconds(86400));

        assertThatThrownBy(() -> admin.keys().accessTokens().clientCertificates().register(fresh("expired"), ADMIN,
                expired.x509(), "test-setup")).isInstanceOf(AccessException.class).hasMessageContaining("expired at");
        assertThat(admin.keys().auditEvents(new AuditQuery(null, "test-setup", "certificate.add", 1)).get(0).outcome())
                .isEqualTo(AuditEvent.Outcome.DENIED);
        assertThatThrownBy(() -> get(expired, null)).isInstanceOf(IOException.class);
    }

    @Test
    void aCertificateNotValidYetFailsTheHandshake() throws Exception {
        Instant now = Instant.now();
        ClientCertificateAuthority.Issued early = ca.issue(fresh("early"), now.plusSeconds(86400),
                now.plusSeconds(2 * 86400));

        assertThatThrownBy(() -> get(early, null)).isInstanceOf(IOException.class);
    }

    @Test
    void aRevokedCertificateIsRefusedAtTheNextRequestOnTheSameConnection() throws Exception {
        Registered bob = registered(Role.OPERATOR);
        HttpClient http = client(bob.issued());
        assertThat(send(http, "GET", "/v1/keys", null, null).statusCode()).isEqualTo(200);

        admin.keys().accessTokens().clientCertificates().revoke(bob.issued().fingerprint().substring(0, 16), "local:ops");

        HttpResponse<String> after = send(http, "GET", "/v1/keys", null, null);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(lastRefusalOf(bob.issued().fingerprint()).details().get("reason").toString())
                .contains("not registered");
        AuditQuery.Entry revoke = admin.keys().auditEvents(new AuditQuery(null, "local:ops", "certificate.revoke", 1))
                .get(0);
        assertThat(revoke.object()).isEqualTo(ClientCertificates.credentialId(bob.issued().fingerprint()));
        assertThat(revoke.details()).containsEntry("principal", bob.principal())
                .containsEntry("fingerprint", bob.issued().fingerprint());
        String fingerprint = bob.issued().fingerprint();
        assertThat(admin.keys().accessTokens().clientCertificates().list())
                .noneMatch(k -> k.fingerprint().equals(fingerprint));
    }

    @Test
    void aTokenAndACertificateOfDifferentPrincipalsAreRefused() throws Exception {
        Registered carol = registered(Role.ADMIN);

        HttpResponse<String> r = get(carol.issued(), admin.token(Role.AUDITOR));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(lastRefusalOf(carol.issued().fingerprint()).details().get("reason").toString())
                .contains("name different principals").contains(carol.principal())
                .contains(AdminFixture.principal(Role.AUDITOR));
        assertThat(admin.keys().auditEvents(new AuditQuery(null, carol.principal(), "api.*", 1))).isEmpty();
    }

    @Test
    void aTokenAndACertificateOfOnePrincipalAuthenticateIt() throws Exception {
        Registered dave = registered(Role.OPERATOR);
        String token = admin.keys().accessTokens().create(dave.principal(), Role.OPERATOR, "test-setup").secretText();

        HttpResponse<String> r = get(dave.issued(), token);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        AuditQuery.Entry event = lastRequestOf(dave.principal());
        assertThat(event.details().get("token").toString()).doesNotStartWith("cert:");
        assertThat(event.details()).containsEntry("certificate",
                ClientCertificates.credentialId(dave.issued().fingerprint()));
    }

    @Test
    void aValidTokenWithAnUnregisteredCertificateIsRefused() throws Exception {
        ClientCertificateAuthority.Issued stranger = ca.issue(fresh("stranger"));

        HttpResponse<String> r = get(stranger, admin.token(ADMIN));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(lastRefusalOf(stranger.fingerprint()).details().get("reason").toString()).contains("not registered");
    }

    @Test
    void aTokenAloneStillWorksWhenClientCertificatesAreAskedFor() throws Exception {
        assertThat(get(null, admin.token(ADMIN)).statusCode()).isEqualTo(200);
        HttpResponse<String> none = get(null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("a valid bearer token is required");
    }

    @Test
    void aCertificatePrincipalStillNeedsItsSecondFactorForDangerousCalls() throws Exception {
        // The fixture's admin principal is enrolled in TOTP; give it a certificate.
        ClientCertificateAuthority.Issued issued = ca.issue("admin-p");
        admin.keys().accessTokens().clientCertificates().register(AdminFixture.principal(ADMIN), ADMIN, issued.x509(),
                "test-setup");
        String ring = fresh("cc-ring");
        KeyService k = admin.keys();
        k.createRing(ring, null, "test-setup");
        k.rotate(ring, "test-setup");
        HttpClient http = client(issued);
        String path = "/v1/keys/" + ring + "/versions/1/compromised";

        HttpResponse<String> without = send(http, "POST", path, null, null);
        assertThat(without.statusCode()).as(without.body()).isEqualTo(403);
        assertThat(without.body()).contains("second factor");

        HttpResponse<String> with = send(http, "POST", path, null, admin.otp(ADMIN));
        assertThat(with.statusCode()).as(with.body()).isEqualTo(200);
        assertThat(lastRequestOf(AdminFixture.principal(ADMIN)).details()).containsEntry("second_factor", "totp")
                .containsEntry("token", ClientCertificates.credentialId(issued.fingerprint()));
    }

    @Test
    void registrationChecksTheRoleAndRefusesDuplicates() throws Exception {
        Registered erin = registered(Role.AUDITOR);
        ClientCertificateAuthority.Issued second = ca.issue(erin.principal());

        assertThatThrownBy(() -> admin.keys().accessTokens().clientCertificates().register(erin.principal(), ADMIN,
                second.x509(), "test-setup")).isInstanceOf(AccessException.class)
                .hasMessageContaining("exists with role auditor");
        assertThatThrownBy(() -> admin.keys().accessTokens().clientCertificates().register(fresh("thief"),
                Role.AUDITOR, erin.issued().x509(), "test-setup")).isInstanceOf(AccessException.class)
                .hasMessageContaining("registered already, to " + erin.principal());
        AuditQuery.Entry add = admin.keys().auditEvents(new AuditQuery(null, "test-setup", "certificate.add", 1)).get(0);
        assertThat(add.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
        assertThat(add.details().get("reason").toString()).contains("registered already");
    }

    @Test
    void aClientCaFileWithoutCertificatesIsNamedAtStart() throws Exception {
        Path empty = java.nio.file.Files.writeString(dir.resolve("empty-ca.pem"), "nothing here\n");
        assertThatThrownBy(() -> AdminServer.serverTls(serverCertificate.certificate(), serverCertificate.privateKey(),
                Optional.of(empty))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty-ca.pem");
    }
}
