package dev.pgseal.wire.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client certificate an admin command presents ({@code --cert FILE --key FILE}): a PEM
 * certificate (chain, leaf first) and its unencrypted PEM PKCS#8 private key (RSA, EC or Ed25519),
 * as {@code curl --cert --key} takes them. It is always offered, whatever CAs the server names in
 * its request, so the server decides (and says so) rather than the client silently sending none.
 */
final class ClientIdentity {

    private static final String ALIAS = "pgseal-client";
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private final X509Certificate[] chain;
    private final PrivateKey key;

    private ClientIdentity(X509Certificate[] chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    /**
     * Reads the certificate and key files.
     *
     * @throws ServerOptions.UsageException naming the file that cannot be read or parsed
     */
    static ClientIdentity load(Path certFile, Path keyFile) {
        List<X509Certificate> certs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certFile)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
        } catch (IOException e) {
            throw new ServerOptions.UsageException("cannot read --cert " + certFile + ": " + e.getMessage());
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new ServerOptions.UsageException("--cert " + certFile + " is not a PEM certificate file: "
                    + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new ServerOptions.UsageException("--cert " + certFile + " holds no PEM certificate");
        }
        String pem;
        try {
            pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ServerOptions.UsageException("cannot read --key " + keyFile + ": " + e.getMessage());
        }
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new ServerOptions.UsageException("--key " + keyFile + " is not an unencrypted PEM PKCS#8 private key "
                    + "(-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        X509Certificate leaf = certs.get(0);
        String algorithm = leaf.getPublicKey().getAlgorithm();
        try {
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            return new ClientIdentity(certs.toArray(new X509Certificate[0]), key);
        } catch (GeneralSecurityException e) {
            throw new ServerOptions.UsageException("--key " + keyFile + " is not a " + algorithm + " private key for the "
                    + "certificate in " + certFile + ": " + e.getMessage());
        } finally {
            java.util.Arrays.fill(der, (byte) 0);
        }
    }

    /** Key managers that always offer this certificate. */
    KeyManager[] keyManagers() {
        return new KeyManager[] {new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return ALIAS;
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return ALIAS;
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {ALIAS};
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return ALIAS.equals(alias) ? chain.clone() : null;
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return ALIAS.equals(alias) ? key : null;
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        }};
    }
}
