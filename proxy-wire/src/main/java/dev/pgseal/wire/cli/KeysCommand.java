package dev.pgseal.wire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgseal.keys.KeysListing;
import dev.pgseal.keys.StoreSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgseal keys …}: key rings, versions and their lifecycle, through the admin API of a running
 * server ({@code --server}, token in {@code PGSEAL_TOKEN} or {@code --token-file}). {@code keys list
 * --config FILE} still reads the store offline.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Inspect and manage key rings and their versions.",
        footer = {"", "Example: PGSEAL_TOKEN=$(cat admin.token) ./pgseal keys rotate patients"},
        subcommands = {KeysCommand.ListRings.class, KeysCommand.Show.class, KeysCommand.Create.class,
                KeysCommand.Rotate.class, KeysCommand.Deactivate.class, KeysCommand.Compromise.class,
                KeysCommand.ScheduleDeletion.class, KeysCommand.CancelDeletion.class,
                KeysCommand.MinDecryptionVersion.class, KeysCommand.Destroy.class, KeysCommand.Grants.class,
                KeysCommand.Grant.class, KeysCommand.RevokeGrant.class})
final class KeysCommand extends CommandGroup {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists every key ring with its versions, states, primary version, rotation period and "
                    + "encryption counts. Asks the running server (roles admin, operator, auditor), or with --config "
                    + "reads the store offline (no running server needed). Never prints key material."},
            footer = {"", "Examples:", "  ./pgseal keys list --server http://127.0.0.1:6544",
                    "  ./pgseal keys list --config pgseal.yaml --json"})
    static final class ListRings implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "Read the store named by this server config's 'store' section instead of asking a server.")
        Path config;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            if (config != null) {
                StoreOptions offline = new StoreOptions();
                offline.config = config;
                StoreSettings store = offline.store();
                return store == null ? 1 : KeysListing.run(store, server.json, System.out, System.err);
            }
            return AdminClient.call(server, "GET", "/v1/keys", null, body -> ringTable(body.path("rings")));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows one key ring: its versions and their states, the primary version, the rotation period, "
                    + "the minimum decryption version and encryption counts (roles admin, operator, auditor).",
            footer = {"", "Example: ./pgseal keys show patients --json"})
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            return AdminClient.call(server, "GET", "/v1/keys/" + AdminClient.segment(ring), null,
                    body -> ringDetail(body.path("ring")));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates a key ring with a fresh key as its active version 1 (role admin): an AES-256 data "
                    + "key by default (column encryption and the data plane), or a key pair of another --type for the "
                    + "data plane (docs/kms.md)."},
            footer = {"", "Examples:", "  ./pgseal keys create invoices --rotation 90d",
                    "  ./pgseal keys create signing --type ed25519"})
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The new key ring's name.")
        String ring;

        @Option(names = "--rotation", paramLabel = "PERIOD",
                description = "Automatic rotation period: 90d, 12h, 30m or 45s. Default: manual rotation only.")
        String rotation;

        @Option(names = "--type", paramLabel = "TYPE",
                description = "aes-256-gcm (default), rsa-3072-oaep, rsa-3072-pss, ec-p256, ed25519, ml-dsa-65 or "
                        + "ml-kem-768. Only aes-256-gcm rings encrypt columns.")
        String type;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", ring);
            if (rotation != null) {
                body.put("rotation_period", rotation);
            }
            if (type != null) {
                body.put("type", type);
            }
            return AdminClient.call(server, "POST", "/v1/keys", body,
                    b -> "created key ring " + ring + "\n" + ringDetail(b.path("ring")));
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Rotates a key ring: a new version becomes the primary and the old primary is deactivated "
                    + "(decrypt only). Roles admin, operator.",
            footer = {"", "Example: ./pgseal keys rotate patients"})
    static final class Rotate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            return AdminClient.call(server, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/rotate", null,
                    b -> "rotated key ring " + ring + ": primary version is now "
                            + b.path("ring").path("primary_version").asText() + "\n");
        }
    }

    @Command(name = "deactivate", mixinStandardHelpOptions = true,
            description = "Deactivates a version: it still decrypts, never encrypts (role admin). The primary version "
                    + "cannot be deactivated: rotate first.",
            footer = {"", "Example: ./pgseal keys deactivate patients 3"})
    static final class Deactivate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", paramLabel = "VERSION", description = "The version number.")
        int version;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            return versionState(server, null, ring, version, "deactivate", "deactivated");
        }
    }

    @Command(name = "compromise", mixinStandardHelpOptions = true,
            description = {"Marks a version compromised: it still decrypts (so data can be re-encrypted) and is flagged "
                    + "everywhere (role admin). The primary version must be rotated away first.",
                    "A dangerous operation: it needs the current TOTP code of the token's principal (--otp or PGSEAL_OTP)."},
            footer = {"", "Example: ./pgseal keys compromise patients 2 --otp 492039"})
    static final class Compromise implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", paramLabel = "VERSION", description = "The version number.")
        int version;

        @Mixin
        ServerOptions server;

        @Mixin
        OtpOptions otp;

        @Override
        public Integer call() {
            return versionState(server, otp, ring, version, "compromised", "marked compromised");
        }
    }

    @Command(name = "schedule-deletion", mixinStandardHelpOptions = true,
            description = {"Schedules the deletion of a whole key ring, or of one version, after 7 to 30 days (role "
                    + "admin). Until then it is refused for use, and cancel-deletion undoes it; when due, the key "
                    + "material is destroyed and nothing encrypted under it can be read again.",
                    "A dangerous operation: it needs the current TOTP code of the token's principal (--otp or PGSEAL_OTP)."},
            footer = {"", "Examples:", "  ./pgseal keys schedule-deletion old-ring --days 30 --otp 492039",
                    "  PGSEAL_OTP=492039 ./pgseal keys schedule-deletion patients 1 --days 7"})
    static final class ScheduleDeletion implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION",
                description = "Delete only this version (default: the whole ring).")
        Integer version;

        @Option(names = "--days", required = true, paramLabel = "DAYS", description = "Waiting period, 7 to 30 days.")
        int days;

        @Mixin
        ServerOptions server;

        @Mixin
        OtpOptions otp;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("days", days);
            if (version != null) {
                body.put("version", version);
            }
            return AdminClient.call(server, otp, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/schedule-deletion", body,
                    b -> "deletion of key ring " + ring + (version == null ? "" : " version " + version)
                            + " scheduled for " + b.path("deletion_due_at").asText()
                            + " (undo with: ./pgseal keys cancel-deletion " + ring
                            + (version == null ? "" : " " + version) + ")\n");
        }
    }

    @Command(name = "cancel-deletion", mixinStandardHelpOptions = true,
            description = "Cancels the scheduled deletion of a key ring or one version (role admin).",
            footer = {"", "Example: ./pgseal keys cancel-deletion patients 1"})
    static final class CancelDeletion implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION",
                description = "The version whose deletion to cancel (default: the whole ring's).")
        Integer version;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (version != null) {
                body.put("version", version);
            }
            return AdminClient.call(server, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/cancel-deletion", body,
                    b -> "deletion of key ring " + ring + (version == null ? "" : " version " + version)
                            + " cancelled\n");
        }
    }

    @Command(name = "min-decryption-version", mixinStandardHelpOptions = true,
            description = {"Sets the lowest version of a key ring that may still decrypt (role admin). Raising it makes "
                    + "everything still encrypted under older versions unreadable at once; lowering it revives retired "
                    + "versions.",
                    "A dangerous operation: it needs the current TOTP code of the token's principal (--otp or PGSEAL_OTP)."},
            footer = {"", "Example: ./pgseal keys min-decryption-version patients 3 --otp 492039"})
    static final class MinDecryptionVersion implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", paramLabel = "VERSION", description = "The new minimum (1 to the primary version).")
        int version;

        @Mixin
        ServerOptions server;

        @Mixin
        OtpOptions otp;

        @Override
        public Integer call() {
            return AdminClient.call(server, otp, "POST", "/v1/keys/" + AdminClient.segment(ring)
                    + "/min-decryption-version", Map.of("version", version),
                    b -> "key ring " + ring + ": minimum decryption version is now "
                            + b.path("ring").path("min_decryption_version").asText() + "\n");
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            description = {"Destroys now the key material of a ring's versions (or of the whole ring) whose scheduled "
                    + "deletion is due (role admin); the server also does it every 10 minutes. Nothing encrypted "
                    + "under a destroyed version can be read again.",
                    "A dangerous operation: it needs the current TOTP code of the token's principal (--otp or PGSEAL_OTP)."},
            footer = {"", "Example: ./pgseal keys destroy old-ring --otp 492039"})
    static final class Destroy implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Mixin
        ServerOptions server;

        @Mixin
        OtpOptions otp;

        @Override
        public Integer call() {
            return AdminClient.call(server, otp, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/destroy", null,
                    b -> {
                        StringBuilder out = new StringBuilder();
                        for (JsonNode d : b.path("destroyed")) {
                            out.append("destroyed ").append(d.asText()).append('\n');
                        }
                        return out.length() == 0 ? "nothing of key ring " + ring + " was due\n" : out.toString();
                    });
        }
    }

    @Command(name = "grants", mixinStandardHelpOptions = true,
            description = "Lists which app principals may call which data-plane operations on a key ring (roles admin, "
                    + "auditor).",
            footer = {"", "Example: ./pgseal keys grants signing --json"})
    static final class Grants implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            return AdminClient.call(server, "GET", "/v1/keys/" + AdminClient.segment(ring) + "/grants", null, b -> {
                TextTable t = new TextTable("PRINCIPAL", "OPERATIONS", "GRANTED", "BY");
                for (JsonNode g : b.path("grants")) {
                    t.row(g.path("principal").asText(), operations(g), g.path("granted_at").asText(),
                            g.path("granted_by").asText());
                }
                return t + (t.isEmpty() ? "(no grants: no app may use key ring " + ring + ")\n" : "");
            });
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
            description = "Lets an app principal call data-plane operations on a key ring (role admin). Replaces an "
                    + "earlier grant of the same principal on that ring.",
            footer = {"", "Examples:", "  ./pgseal keys grant invoices billing-app --operations encrypt,decrypt",
                    "  ./pgseal keys grant signing release-bot            # every operation the ring's type offers"})
    static final class Grant implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", paramLabel = "PRINCIPAL", description = "A principal of role app.")
        String principal;

        @Option(names = "--operations", split = ",", paramLabel = "OP",
                description = "Comma-separated: encrypt, decrypt, generate-data-key, re-encrypt, sign, verify, "
                        + "encapsulate, decapsulate, public-key. Default: every operation of the ring's type.")
        java.util.List<String> operations;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("principal", principal);
            if (operations != null && !operations.isEmpty()) {
                body.put("operations", operations);
            }
            return AdminClient.call(server, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/grants", body,
                    b -> "granted " + principal + " on key ring " + ring + ": " + operations(b.path("grant")) + "\n");
        }
    }

    @Command(name = "revoke-grant", mixinStandardHelpOptions = true,
            description = "Takes an app principal's grant on a key ring away (role admin); effective for its next "
                    + "request, on every instance.",
            footer = {"", "Example: ./pgseal keys revoke-grant invoices billing-app"})
    static final class RevokeGrant implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RING", description = "The key ring's name.")
        String ring;

        @Parameters(index = "1", paramLabel = "PRINCIPAL", description = "The app principal.")
        String principal;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            return AdminClient.call(server, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/grants/"
                    + AdminClient.segment(principal) + "/revoke", null,
                    b -> "revoked the grant of " + principal + " on key ring " + ring + "\n");
        }
    }

    private static String operations(JsonNode grant) {
        java.util.List<String> ops = new java.util.ArrayList<>();
        grant.path("operations").forEach(o -> ops.add(o.asText()));
        return String.join(",", ops);
    }

    private static int versionState(ServerOptions server, OtpOptions otp, String ring, int version, String action,
            String done) {
        return AdminClient.call(server, otp, "POST", "/v1/keys/" + AdminClient.segment(ring) + "/versions/" + version + "/"
                + action, null, b -> "key ring " + ring + " version " + version + " " + done + "\n");
    }

    // ---------------------------------------------------------------- rendering

    /** One line per version, as the offline listing prints it. */
    static String ringTable(JsonNode rings) {
        TextTable t = new TextTable("RING", "VERSION", "STATE", "PRIMARY", "ENCRYPTIONS", "ROTATION", "CREATED",
                "DELETION DUE");
        for (JsonNode r : rings) {
            for (JsonNode v : r.path("versions")) {
                String due = text(v.path("deletion_due_at"), text(r.path("deletion_due_at"), "-"));
                t.row(r.path("name").asText() + (r.path("deleted_at").isNull() ? "" : " (deleted)"),
                        v.path("version").asText()
                                + (v.path("version").asInt() < r.path("min_decryption_version").asInt() ? " (below min)" : ""),
                        v.path("state").asText(),
                        v.path("primary").asBoolean() ? "*" : "",
                        v.path("encryptions").asText(),
                        rotation(r.path("rotation_period_seconds")),
                        v.path("created_at").asText(),
                        due);
            }
        }
        return t + (t.isEmpty() ? "(no key rings)\n" : "");
    }

    /** A ring's summary line, then its versions. */
    static String ringDetail(JsonNode r) {
        String summary = "ring " + r.path("name").asText() + " (id " + r.path("id").asText()
                + (r.path("type").isTextual() ? ", " + r.path("type").asText() : "") + "): primary version "
                + text(r.path("primary_version"), "none") + ", latest " + r.path("latest_version").asText()
                + ", min decryption version " + r.path("min_decryption_version").asText() + ", rotation "
                + rotation(r.path("rotation_period_seconds"))
                + (r.path("deletion_due_at").isNull() ? "" : ", deletion due " + r.path("deletion_due_at").asText())
                + (r.path("deleted_at").isNull() ? "" : ", deleted " + r.path("deleted_at").asText()) + "\n";
        TextTable t = new TextTable("VERSION", "STATE", "PRIMARY", "ENCRYPTIONS", "CREATED", "DELETION DUE");
        for (JsonNode v : r.path("versions")) {
            t.row(v.path("version").asText(), v.path("state").asText(), v.path("primary").asBoolean() ? "*" : "",
                    v.path("encryptions").asText(), v.path("created_at").asText(), text(v.path("deletion_due_at"), "-"));
        }
        return summary + t;
    }

    private static String rotation(JsonNode seconds) {
        if (seconds.isNull() || seconds.isMissingNode()) {
            return "manual";
        }
        long s = seconds.asLong();
        return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    private static String text(JsonNode n, String absent) {
        return n == null || n.isNull() || n.isMissingNode() ? absent : n.asText();
    }
}
