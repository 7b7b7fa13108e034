package dev.pgseal.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A throw-away RSA certificate for localhost and 127.0.0.1, made with the openssl command line: the
 * certificate and a PKCS#8 private key (what Netty's SslContextBuilder and PostgreSQL both read) as
 * PEM files.
 */
public record SelfSignedCertificate(Path certificate, Path privateKey) {

    /** Generates a fresh key and certificate in {@code folder}. */
    public static SelfSignedCertificate generate(Path folder) throws IOException, InterruptedException {
        Path key = folder.resolve("server.key");
        Path cert = folder.resolve("server.crt");
        openssl(folder, List.of("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", key.toString()));
        openssl(folder, List.of("openssl", "req", "-new", "-x509", "-key", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"));
        // PostgreSQL refuses a key file that others can read.
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        String pem = Files.readString(key);
        if (!pem.startsWith("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException("openssl wrote a key that is not PKCS#8 PEM: " + pem.lines().findFirst());
        }
        return new SelfSignedCertificate(cert, key);
    }

    private static void openssl(Path folder, List<String> command) throws IOException, InterruptedException {
        ClientProcess.Result r = ClientProcess.run(folder, Duration.ofSeconds(60), Map.of(), command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(command + " failed: " + r);
        }
    }
}
