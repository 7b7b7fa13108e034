package dev.pgseal.wire.admin;

import dev.pgseal.keys.access.ClientCertificates;
import dev.pgseal.wire.ExternalCommand;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A throw-away CA that issues TLS client certificates (EC P-256, extended key usage clientAuth)
 * with the openssl command line, with any validity period (so expired certificates too), in its own
 * folder.
 */
public final class ClientCertificateAuthority {

    private static final DateTimeFormatter OPENSSL_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** A client certificate and its PKCS#8 private key, as PEM files. */
    public record Issued(Path certificate, Path privateKey) {

        public X509Certificate x509() throws Exception {
            try (InputStream in = Files.newInputStream(certificate)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }

        public String fingerprint() throws Exception {
            return ClientCertificates.fingerprint(x509());
        }

        /**
         * A client context that trusts {@code serverCertificate} and always presents this certificate,
         * whatever CAs the server names, so the server's own verification is what is tested.
         */
        public SSLContext context(Path serverCertificate) throws Exception {
            String pem = Files.readString(privateKey, StandardCharsets.US_ASCII)
                    .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(pem)));
            X509Certificate[] chain = {x509()};
            X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
                @Override
                public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                    return "client";
                }

                @Override
                public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                    return "client";
                }

                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return new String[] {"client"};
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return chain;
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return key;
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }
            };
            return ClientCertificateAuthority.context(serverCertificate, new KeyManager[] {always});
        }
    }

    /** A context that trusts {@code serverCertificate} and presents no client certificate. */
    public static SSLContext context(Path serverCertificate, KeyManager[] keys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(serverCertificate)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, tmf.getTrustManagers(), null);
        return ctx;
    }

    private final Path dir;
    private int issued;

    private ClientCertificateAuthority(Path dir) {
        this.dir = dir;
    }

    /** A new CA named {@code name} in {@code parent}/{@code name}. */
    public static ClientCertificateAuthority create(Path parent, String name) throws Exception {
        Path dir = Files.createDirectories(parent.resolve(name));
        Files.createDirectories(dir.resolve("issued"));
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ ca ]
                default_ca = test_ca
                [ test_ca ]
                database = index.txt
                new_certs_dir = issued
                certificate = ca.crt
                private_key = ca.key
                serial = serial
                default_md = sha256
                policy = any
                x509_extensions = client
                unique_subject = no
                [ any ]
                commonName = supplied
                [ client ]
                basicConstraints = critical,CA:FALSE
                keyUsage = critical,digitalSignature
                extendedKeyUsage = clientAuth
                """);
        ExternalCommand.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.crt");
        return new ClientCertificateAuthority(dir);
    }

    /** The CA's certificate (PEM), for {@code admin.tls.client_ca}. */
    public Path certificate() {
        return dir.resolve("ca.crt");
    }

    /** A certificate for {@code commonName}, valid from an hour ago for two days. */
    public Issued issue(String commonName) throws Exception {
        Instant now = Instant.now();
        return issue(commonName, now.minusSeconds(3600), now.plusSeconds(2 * 86400));
    }

    /** A certificate for {@code commonName} valid from {@code notBefore} to {@code notAfter}. */
    public Issued issue(String commonName, Instant notBefore, Instant notAfter) throws Exception {
        String base = commonName + "-" + (++issued);
        ExternalCommand.run(dir, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-subj", "/CN=" + commonName, "-keyout", base + ".key", "-out", base + ".csr");
        ExternalCommand.run(dir, "openssl", "ca", "-batch", "-config", "ca.cnf", "-notext", "-startdate",
                OPENSSL_TIME.format(notBefore), "-enddate", OPENSSL_TIME.format(notAfter), "-in", base + ".csr",
                "-out", base + ".crt");
        return new Issued(dir.resolve(base + ".crt"), dir.resolve(base + ".key"));
    }
}
