package dev.pgseal.wire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.access.AccessException;
import dev.pgseal.keys.access.AccessToken;
import dev.pgseal.keys.access.ClientCertificate;
import dev.pgseal.keys.access.IssuedToken;
import dev.pgseal.keys.access.IssuedTotp;
import dev.pgseal.keys.access.Role;
import dev.pgseal.keys.access.TotpEnrollment;
import dev.pgseal.wire.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgseal tokens …}: the admin API's principals, their bearer tokens, their client
 * certificates and their TOTP second factor. With {@code --config} the commands work offline against the store (that is how the first
 * admin token is made, and the only way to enrol TOTP); without it they ask the running server, as an
 * admin. Either way the change is in the keyed audit log.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Create, list and revoke the bearer tokens of the admin API; register and revoke client "
                + "certificates; enrol principals in TOTP.",
        footer = {"", "Example: ./pgseal tokens create --config pgseal.yaml --role admin --name alice"},
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class,
                TokensCommand.TotpEnroll.class, TokensCommand.TotpList.class, TokensCommand.TotpRemove.class,
                TokensCommand.CertAdd.class, TokensCommand.CertList.class, TokensCommand.CertRevoke.class})
final class TokensCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates a bearer token for a principal (created with the role on first use; one role per "
                    + "principal) and prints it ONCE: only its SHA-256 is stored.",
                    "Roles: admin (key lifecycle, tokens), operator (rotation and jobs), auditor (audit log and key "
                    + "metadata, never key material), app (data-plane calls on the keys granted to it).",
                    "With --config it works offline against the store (the config's keystore and store); without, it "
                    + "asks the running server with an admin token."},
            footer = {"", "Examples:", "  ./pgseal tokens create --config pgseal.yaml --role admin --name alice > alice.token",
                    "  PGSEAL_TOKEN=$(cat alice.token) ./pgseal tokens create --role auditor --name audit-bot"})
    static final class Create implements Callable<Integer> {
        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, operator, auditor or app.")
        String role;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "The principal's name, recorded as the actor of everything the token does.")
        String name;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Work offline against this server "
                + "config's store.")
        Path config;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            Role r;
            try {
                r = Role.parse(role);
            } catch (IllegalArgumentException e) {
                System.err.println("pgseal: " + e.getMessage());
                return 2;
            }
            if (config != null) {
                return offline(config, server.json, keys -> {
                    IssuedToken issued = keys.accessTokens().create(name, r, localActor());
                    Map<String, Object> m = json(issued.metadata());
                    m.put("token", issued.secretText());
                    return AdminClient.JSON.valueToTree(m);
                }, TokensCommand::created);
            }
            return AdminClient.call(server, "POST", "/v1/tokens", Map.of("name", name, "role", r.displayName()),
                    TokensCommand::created);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists every token (id, principal, role, created, revoked); never a token's secret.",
            footer = {"", "Examples:", "  ./pgseal tokens list --config pgseal.yaml", "  ./pgseal tokens list --json"})
    static final class ListTokens implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Work offline against this server "
                + "config's store.")
        Path config;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            if (config != null) {
                return offline(config, server.json, keys -> {
                    List<Map<String, Object>> list = new ArrayList<>();
                    keys.accessTokens().list().forEach(t -> list.add(json(t)));
                    return AdminClient.JSON.valueToTree(Map.of("tokens", list));
                }, TokensCommand::table);
            }
            return AdminClient.call(server, "GET", "/v1/tokens", null, TokensCommand::table);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a token: from the next request on, on every pgseal instance, it no longer "
                    + "authenticates.",
            footer = {"", "Example: ./pgseal tokens revoke 3f9a1c0de4b27781"})
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (see tokens list).")
        String id;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Work offline against this server "
                + "config's store.")
        Path config;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            Function<JsonNode, String> done = b -> "revoked token " + b.path("id").asText() + " of "
                    + b.path("principal").asText() + "\n";
            if (config != null) {
                return offline(config, server.json,
                        keys -> AdminClient.JSON.valueToTree(json(keys.accessTokens().revoke(id, localActor()))), done);
            }
            return AdminClient.call(server, "POST", "/v1/tokens/" + AdminClient.segment(id) + "/revoke", null, done);
        }
    }

    // ---------------------------------------------------------------- TOTP (offline only)

    @Command(name = "totp-enroll", mixinStandardHelpOptions = true,
            description = {"Enrols a principal in TOTP (RFC 6238: SHA-1, 6 digits, 30 s), the second factor that "
                    + "dangerous operations ask for: schedule deletion, destroy, mark compromised, change the minimum "
                    + "decryption version, rotate the master key.",
                    "Prints the otpauth:// URI (turn it into a QR code for an authenticator app) and the base32 secret "
                    + "ONCE: the store keeps the secret only wrapped under the master key in the HSM.",
                    "Works offline against the config's store and keystore only, so enrolling takes access to both. "
                    + "The principal must exist (tokens create). --replace gives it a new secret (the old one stops "
                    + "working) and clears a lock."},
            footer = {"", "Examples:", "  ./pgseal tokens totp-enroll --config pgseal.yaml --principal alice",
                    "  ./pgseal tokens totp-enroll --config pgseal.yaml --principal alice --replace | qrencode -t ansiutf8"})
    static final class TotpEnroll implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "The server config: its store keeps the enrolment, its keystore wraps the secret.")
        Path config;

        @Option(names = "--principal", required = true, paramLabel = "NAME", description = "Whose second factor.")
        String principal;

        @Option(names = "--replace", description = "Replace an existing enrolment with a new secret.")
        boolean replace;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            return offline(config, json, keys -> {
                IssuedTotp issued = keys.totpEnrollments().enroll(principal, replace, localActor());
                Map<String, Object> m = json(issued.enrollment());
                m.put("otpauth_uri", issued.otpauthUri());
                m.put("secret", issued.secretBase32());
                return AdminClient.JSON.valueToTree(m);
            }, TokensCommand::enrolled);
        }
    }

    @Command(name = "totp-list", mixinStandardHelpOptions = true,
            description = "Lists the TOTP enrolments (principal, enrolled, last code accepted, refused codes in a row, "
                    + "lock); never a secret. Offline against the config's store.",
            footer = {"", "Example: ./pgseal tokens totp-list --config pgseal.yaml"})
    static final class TotpList implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The server config.")
        Path config;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            return offline(config, json, keys -> {
                List<Map<String, Object>> list = new ArrayList<>();
                keys.totpEnrollments().list().forEach(e -> list.add(json(e)));
                return AdminClient.JSON.valueToTree(Map.of("enrollments", list));
            }, TokensCommand::enrollmentTable);
        }
    }

    @Command(name = "totp-remove", mixinStandardHelpOptions = true,
            description = "Removes a principal's TOTP enrolment: its dangerous calls are refused until it enrols again. "
                    + "Offline against the config's store.",
            footer = {"", "Example: ./pgseal tokens totp-remove --config pgseal.yaml --principal alice"})
    static final class TotpRemove implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The server config.")
        Path config;

        @Option(names = "--principal", required = true, paramLabel = "NAME", description = "Whose enrolment.")
        String principal;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            return offline(config, json, keys -> AdminClient.JSON.valueToTree(json(keys.totpEnrollments()
                    .remove(principal, localActor()))), b -> "removed the TOTP enrolment of " + principal + "\n");
        }
    }

    // ---------------------------------------------------------------- client certificates (offline only)

    @Command(name = "cert-add", mixinStandardHelpOptions = true,
            description = {"Registers a client certificate to a principal (created with the role on first use; one "
                    + "role per principal). The admin listener accepts it once its CA is in admin.tls.client_ca: "
                    + "the CA checks the certificate, the registration says whose it is (a certificate the CA "
                    + "issued but nobody registered authenticates nobody).",
                    "Only the certificate's SHA-256 fingerprint decides; the private key never leaves the client. "
                    + "Works offline against the config's store (the change is audited as certificate.add)."},
            footer = {"", "Example: ./pgseal tokens cert-add --config pgseal.yaml --principal alice --role admin "
                    + "--cert alice.crt"})
    static final class CertAdd implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The server config.")
        Path config;

        @Option(names = "--principal", required = true, paramLabel = "NAME", description = "Whose certificate.")
        String principal;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "admin, operator, auditor or app: the principal's role (checked when it exists).")
        String role;

        @Option(names = "--cert", required = true, paramLabel = "FILE",
                description = "The client's PEM certificate (the first certificate of the file is registered).")
        Path cert;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            Role r;
            X509Certificate certificate;
            try {
                r = Role.parse(role);
                certificate = readCertificate(cert);
            } catch (IllegalArgumentException e) {
                System.err.println("pgseal: " + e.getMessage());
                return 2;
            }
            return offline(config, json, keys -> AdminClient.JSON.valueToTree(json(keys.accessTokens()
                    .clientCertificates().register(principal, r, certificate, localActor()))),
                    b -> "registered certificate " + b.path("fingerprint").asText() + " (" + b.path("subject").asText()
                            + ") to " + b.path("principal").asText() + " (role " + b.path("role").asText() + ")\n");
        }
    }

    @Command(name = "cert-list", mixinStandardHelpOptions = true,
            description = "Lists the registered client certificates (fingerprint, principal, role, subject, expiry). "
                    + "Offline against the config's store.",
            footer = {"", "Example: ./pgseal tokens cert-list --config pgseal.yaml"})
    static final class CertList implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The server config.")
        Path config;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            return offline(config, json, keys -> {
                List<Map<String, Object>> list = new ArrayList<>();
                keys.accessTokens().clientCertificates().list().forEach(k -> list.add(json(k)));
                return AdminClient.JSON.valueToTree(Map.of("certificates", list));
            }, TokensCommand::certificateTable);
        }
    }

    @Command(name = "cert-revoke", mixinStandardHelpOptions = true,
            description = "Deletes a client certificate's registration: from the next request on, on every pgseal "
                    + "instance, it authenticates nobody. Offline against the config's store (audited as "
                    + "certificate.revoke).",
            footer = {"", "Example: ./pgseal tokens cert-revoke --config pgseal.yaml 3f9a1c0de4b27781"})
    static final class CertRevoke implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FINGERPRINT",
                description = "The SHA-256 fingerprint (hex, colons allowed), or its first 16 digits at least "
                        + "(see tokens cert-list; audit events show cert:<first 16>).")
        String fingerprint;

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The server config.")
        Path config;

        @Option(names = "--json", description = "Print machine-readable JSON.")
        boolean json;

        @Override
        public Integer call() {
            return offline(config, json, keys -> AdminClient.JSON.valueToTree(json(keys.accessTokens()
                    .clientCertificates().revoke(fingerprint, localActor()))),
                    b -> "revoked certificate " + b.path("fingerprint").asText() + " of " + b.path("principal").asText()
                            + "\n");
        }
    }

    /**
     * The first certificate of a PEM (or DER) file.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    static X509Certificate readCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            if (c instanceof X509Certificate x) {
                return x;
            }
            throw new IllegalArgumentException("--cert " + file + " is not an X.509 certificate");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --cert " + file + ": " + e.getMessage());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("--cert " + file + " is not a PEM certificate: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- offline

    /**
     * Opens the key service of {@code config} (keystore and store: the audit log is keyed in the
     * HSM, so even an offline change is audited), runs {@code work}, and prints its result.
     */
    private static int offline(Path config, boolean json, Function<KeyService, JsonNode> work,
            Function<JsonNode, String> render) {
        Optional<ServerConfig> loaded = ConfigFile.load(config);
        if (loaded.isEmpty()) {
            return 1;
        }
        ServerConfig cfg = loaded.get();
        if (cfg.store().isEmpty() || cfg.keystore().isEmpty()) {
            System.err.println("pgseal: " + config + " needs a 'keystore' and a 'store' section: tokens live in the "
                    + "store, and their creation is audited with the keystore's audit key");
            return 1;
        }
        JsonNode result;
        try (KeyService keys = KeyService.open(cfg.keystore().get(), cfg.store().get(), cfg.audit(), Clock.systemUTC(),
                KeyCacheSettings.DEFAULT)) {
            result = work.apply(keys);
        } catch (AccessException e) {
            System.err.println("pgseal: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println("pgseal: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
        System.out.print(json ? AdminClient.pretty(result) : render.apply(result));
        System.out.flush();
        return 0;
    }

    /** The actor of an offline change: the operating-system user at the console. */
    private static String localActor() {
        return "local:" + System.getProperty("user.name", "unknown");
    }

    // ---------------------------------------------------------------- rendering

    static Map<String, Object> json(AccessToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("principal", t.principal());
        m.put("role", t.role().displayName());
        m.put("created_at", t.createdAt().toString());
        m.put("created_by", t.createdBy());
        m.put("revoked_at", t.revokedAt() == null ? null : t.revokedAt().toString());
        m.put("revoked_by", t.revokedBy());
        return m;
    }

    static Map<String, Object> json(ClientCertificate k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fingerprint", k.fingerprint());
        m.put("id", k.credentialId());
        m.put("principal", k.principal());
        m.put("role", k.role().displayName());
        m.put("subject", k.subject());
        m.put("issuer", k.issuer());
        m.put("serial", k.serial());
        m.put("not_after", k.notAfter().toString());
        m.put("created_at", k.createdAt().toString());
        m.put("created_by", k.createdBy());
        return m;
    }

    private static String certificateTable(JsonNode b) {
        TextTable t = new TextTable("FINGERPRINT", "PRINCIPAL", "ROLE", "SUBJECT", "NOT AFTER", "REGISTERED BY");
        for (JsonNode n : b.path("certificates")) {
            t.row(n.path("fingerprint").asText(), n.path("principal").asText(), n.path("role").asText(),
                    n.path("subject").asText(), n.path("not_after").asText(), n.path("created_by").asText());
        }
        return t + (t.isEmpty() ? "(no client certificates)\n" : "");
    }

    /** The token alone on stdout (so {@code > file} captures just it); what it is on stderr. */
    private static String created(JsonNode b) {
        System.err.println("pgseal: token " + b.path("id").asText() + " for " + b.path("principal").asText() + " (role "
                + b.path("role").asText() + "). It is shown once and cannot be recovered: store it now.");
        return b.path("token").asText() + "\n";
    }

    static Map<String, Object> json(TotpEnrollment e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("principal", e.principal());
        m.put("enrolled_at", e.enrolledAt().toString());
        m.put("enrolled_by", e.enrolledBy());
        m.put("master_key", e.masterKeyLabel());
        m.put("last_used_at", e.lastUsedAt() == null ? null : e.lastUsedAt().toString());
        m.put("failures", e.failures());
        m.put("locked_until", e.lockedUntil() == null ? null : e.lockedUntil().toString());
        return m;
    }

    /** The URI and the secret on stdout (so {@code | qrencode} reads the URI's line); what to do on stderr. */
    private static String enrolled(JsonNode b) {
        System.err.println("pgseal: TOTP enrolled for " + b.path("principal").asText() + ". The secret is shown once and "
                + "cannot be recovered: add it to an authenticator app now (the URI as a QR code, or the secret typed "
                + "in). Dangerous operations of " + b.path("principal").asText() + " now need its current code "
                + "(--otp CODE or PGSEAL_OTP).");
        return b.path("otpauth_uri").asText() + "\n" + "secret: " + b.path("secret").asText() + "\n";
    }

    private static String enrollmentTable(JsonNode b) {
        TextTable t = new TextTable("PRINCIPAL", "ENROLLED", "ENROLLED BY", "LAST USED", "FAILURES", "LOCKED UNTIL");
        for (JsonNode n : b.path("enrollments")) {
            t.row(n.path("principal").asText(), n.path("enrolled_at").asText(), n.path("enrolled_by").asText(),
                    n.path("last_used_at").isNull() ? "-" : n.path("last_used_at").asText(), n.path("failures").asText(),
                    n.path("locked_until").isNull() ? "-" : n.path("locked_until").asText());
        }
        return t + (t.isEmpty() ? "(no TOTP enrolments)\n" : "");
    }

    private static String table(JsonNode b) {
        TextTable t = new TextTable("ID", "PRINCIPAL", "ROLE", "CREATED", "CREATED BY", "REVOKED");
        for (JsonNode n : b.path("tokens")) {
            t.row(n.path("id").asText(), n.path("principal").asText(), n.path("role").asText(),
                    n.path("created_at").asText(), n.path("created_by").asText(),
                    n.path("revoked_at").isNull() ? "-" : n.path("revoked_at").asText() + " by "
                            + n.path("revoked_by").asText());
        }
        return t + (t.isEmpty() ? "(no tokens)\n" : "");
    }
}
