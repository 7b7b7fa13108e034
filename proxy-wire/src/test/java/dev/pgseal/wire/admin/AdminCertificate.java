package dev.pgseal.wire.admin;

import dev.pgseal.wire.ExternalCommand;
import java.nio.file.Path;

/**
 * A throw-away self-signed certificate for the admin listener, made with the openssl command line:
 * RSA 2048, valid two days, for {@code localhost} and {@code 127.0.0.1} (subject alternative names,
 * which clients check), as PEM files. The certificate is its own CA: clients pass it as
 * {@code --cacert}.
 */
public record AdminCertificate(Path certificate, Path privateKey) {

    /** Generates a fresh key and certificate in {@code folder} ({@code admin.crt}, {@code admin.key}). */
    public static AdminCertificate generate(Path folder) throws Exception {
        Path cert = folder.resolve("admin.crt");
        Path key = folder.resolve("admin.key");
        ExternalCommand.run(folder, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString());
        return new AdminCertificate(cert, key);
    }

    /** The admin server settings that serve HTTPS with this certificate. */
    public AdminServer.Settings settings() {
        return AdminServer.Settings.DEFAULT.withTls(AdminServer.serverTls(certificate, privateKey));
    }
}
