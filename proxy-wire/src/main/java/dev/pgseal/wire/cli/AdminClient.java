package dev.pgseal.wire.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The admin commands' side of the admin API: one JSON request with the bearer token, and the
 * printing every command shares — a table (or a line) on success, the JSON as the server sent it
 * with {@code --json}, and on an error status the server's message on stderr and exit code 1.
 */
final class AdminClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** One answer: the HTTP status and the JSON body. */
    record Reply(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;

    AdminClient(ServerOptions options) {
        this.base = options.serverUri();
        ClientIdentity identity = options.clientIdentity();
        if (identity != null && !"https".equals(base.getScheme())) {
            throw new ServerOptions.UsageException("--cert and --key need an https:// --server (a client certificate "
                    + "is presented in the TLS handshake)");
        }
        // With a client certificate the token is optional; given both, they must name one principal.
        this.token = identity == null ? options.token() : options.optionalToken();
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if ("https".equals(base.getScheme())) {
            Path ca = options.caCertificates();
            if (ca != null || identity != null) {
                b.sslContext(context(ca == null ? null : trustManagers(ca),
                        identity == null ? null : identity.keyManagers()));
            }
            // TLS 1.2 and 1.3 only, as the server offers; host names are checked (the JDK's default).
            SSLParameters p = new SSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            b.sslParameters(p);
        }
        this.http = b.build();
    }

    /**
     * An SSL context that trusts exactly the PEM certificates in {@code file}.
     *
     * @throws ServerOptions.UsageException when the file cannot be read or holds no certificate
     */
    static SSLContext trusting(Path file) {
        return context(trustManagers(file), null);
    }

    /** An SSL context with these trust managers (null: the JDK's trust store) and key managers (null: none). */
    private static SSLContext context(TrustManager[] trust, KeyManager[] keys) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Trust managers that trust exactly the PEM certificates in {@code file}. */
    private static TrustManager[] trustManagers(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new ServerOptions.UsageException("--cacert " + file + " holds no PEM certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return tmf.getTrustManagers();
        } catch (IOException e) {
            throw new ServerOptions.UsageException("cannot read --cacert " + file + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ServerOptions.UsageException("--cacert " + file + " is not a PEM certificate file: "
                    + e.getMessage());
        }
    }

    /** A path segment, percent-encoded. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends a request and reads the JSON answer.
     *
     * @throws IllegalStateException with a readable message when the server cannot be reached or
     *     does not answer JSON
     */
    Reply send(String method, String path, Object body) {
        return send(method, path, body, null);
    }

    /** As {@link #send(String, String, Object)}, with a TOTP code in {@code X-Pgseal-Otp} (null: none). */
    Reply send(String method, String path, Object body, String otp) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (otp != null) {
            b.header(OtpOptions.HEADER, otp);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the request as JSON", e);
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IllegalStateException("cannot reach the admin API at " + base + " (is pgseal serve running? "
                    + "see --server)");
        } catch (SSLException e) {
            throw new IllegalStateException("TLS with the admin API at " + base + " failed: " + e.getMessage()
                    + " (is --cacert or PGSEAL_CACERT the certificate or CA of the server?)");
        } catch (IOException e) {
            throw new IllegalStateException("admin API at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        JsonNode json;
        try {
            json = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("the admin API at " + base + " answered HTTP " + r.statusCode()
                    + " without JSON");
        }
        return new Reply(r.statusCode(), json);
    }

    /**
     * Runs one call and prints it: {@code render} of the body on success (or the JSON with
     * {@code --json}); on an error status, {@code pgseal: MESSAGE (HTTP 403 forbidden)} on stderr.
     *
     * @return the exit code: 0 on success, 1 when refused or failed, 2 on bad usage
     */
    static int call(ServerOptions options, String method, String path, Object body, Function<JsonNode, String> render) {
        return call(options, null, method, path, body, render);
    }

    /**
     * As {@link #call(ServerOptions, String, String, Object, Function)} for a dangerous operation:
     * sends the TOTP code of {@code otp} ({@code --otp} or {@code PGSEAL_OTP}).
     */
    static int call(ServerOptions options, OtpOptions otp, String method, String path, Object body,
            Function<JsonNode, String> render) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Reply reply;
        try {
            reply = new AdminClient(options).send(method, path, body, otp == null ? null : otp.code());
        } catch (ServerOptions.UsageException e) {
            err.println("pgseal: " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            err.println("pgseal: " + e.getMessage());
            return 1;
        }
        if (!reply.ok()) {
            if (options.json) {
                out.println(reply.body().toString());
            }
            err.println("pgseal: " + reply.body().path("message").asText("request refused") + " (HTTP " + reply.status()
                    + " " + reply.body().path("error").asText("") + ")");
            return 1;
        }
        out.print(options.json ? pretty(reply.body()) : render.apply(reply.body()));
        out.flush();
        return 0;
    }

    static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
