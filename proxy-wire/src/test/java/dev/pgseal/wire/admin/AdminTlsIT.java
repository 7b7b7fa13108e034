package dev.pgseal.wire.admin;

import static dev.pgseal.keys.access.Role.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin listener with {@code admin.tls}: HTTPS with a self-signed certificate, TLS 1.2 and 1.3
 * with forward-secret AEAD suites only (the proxy's policy), no plain HTTP on the same port, and
 * the request size limit still enforced inside TLS.
 */
class AdminTlsIT {

    @TempDir
    static Path dir;

    static AdminCertificate certificate;
    static AdminFixture admin;
    static SSLContext trusting;

    @BeforeAll
    static void start() throws Exception {
        certificate = AdminCertificate.generate(dir);
        admin = new AdminFixture(dir, certificate.settings());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate.certificate())) {
            trust.setCertificateEntry("admin", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    private static HttpResponse<String> https(String host, String method, String path, String body, String token)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://" + host + ":" + admin.server().port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A handshake offering only {@code protocol} and {@code suite}. */
    private static SSLSession handshake(String protocol, String suite) throws IOException {
        try (SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", admin.server().port())) {
            s.setSoTimeout(30_000);
            s.setEnabledProtocols(new String[] {protocol});
            if (suite != null) {
                s.setEnabledCipherSuites(new String[] {suite});
            }
            s.startHandshake();
            return s.getSession();
        }
    }

    @Test
    void theApiAnswersOverHttpsForTheCertificatesNames() throws Exception {
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            HttpResponse<String> live = https(host, "GET", "/health/live", null, null);
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.sslSession()).isPresent();
            assertThat(live.sslSession().get().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
        HttpResponse<String> keys = https("127.0.0.1", "GET", "/v1/keys", null, admin.token(ADMIN));
        assertThat(keys.statusCode()).isEqualTo(200);
        assertThat(keys.body()).contains("\"rings\"");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
        HttpClient plainTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plainTrust.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + admin.server().port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", admin.server().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] answer = s.getInputStream().readAllBytes(); // the server closes the connection
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1 200");
        } catch (IOException reset) {
            // a reset is as good as a close: nothing was served
        }
    }

    @ParameterizedTest
    @CsvSource({
            "TLSv1.3, TLS_AES_128_GCM_SHA256",
            "TLSv1.3, TLS_AES_256_GCM_SHA384",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"})
    void forwardSecretAeadSuitesOverTls12And13AreAccepted(String protocol, String suite) throws Exception {
        SSLSession s = handshake(protocol, suite);
        assertThat(s.getProtocol()).isEqualTo(protocol);
        assertThat(s.getCipherSuite()).isEqualTo(suite);
    }

    @ParameterizedTest
    @CsvSource({
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLSv1.2, TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.1, ''"})
    void cbcStaticRsaAndOldProtocolsAreRefused(String protocol, String suite) {
        assertThatThrownBy(() -> handshake(protocol, suite.isEmpty() ? null : suite)).isInstanceOf(IOException.class);
    }

    @Test
    void theRequestSizeLimitHoldsInsideTls() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(AdminServer.Settings.DEFAULT.maxRequestBytes()) + "\"}";
        assertThat(https("127.0.0.1", "POST", "/v1/keys", big, admin.token(ADMIN)).statusCode()).isEqualTo(413);
        String fits = "{\"name\":\"tls-ring\"}";
        assertThat(https("127.0.0.1", "POST", "/v1/keys", fits, admin.token(ADMIN)).statusCode()).isEqualTo(201);
    }

    @Test
    void unreadableTlsFilesAreNamedAtStart() {
        assertThatThrownBy(() -> AdminServer.serverTls(dir.resolve("missing.crt"), certificate.privateKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.crt");
        assertThatThrownBy(() -> AdminServer.serverTls(certificate.privateKey(), certificate.certificate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("admin.key");
    }
}
