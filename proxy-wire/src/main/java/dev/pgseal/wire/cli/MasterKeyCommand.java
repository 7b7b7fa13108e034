package dev.pgseal.wire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code pgseal master-key …}: the master keys in the HSM, through the admin API of a running server.
 * Their bytes never leave the HSM; these commands list labels and what each one wraps, and rotate.
 */
@Command(name = "master-key", mixinStandardHelpOptions = true,
        description = "List and rotate the master keys (in the HSM) that wrap the data keys.",
        footer = {"", "Example: PGSEAL_TOKEN=$(cat admin.token) ./pgseal master-key list"},
        subcommands = {MasterKeyCommand.ListKeys.class, MasterKeyCommand.Rotate.class})
final class MasterKeyCommand extends CommandGroup {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the master keys by label: which one is current, and how many data-key versions and TOTP "
                    + "secrets each one wraps (roles admin, operator, auditor). Never prints key material.",
            footer = {"", "Examples:", "  ./pgseal master-key list", "  ./pgseal master-key list --json"})
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            return AdminClient.call(server, "GET", "/v1/master-keys", null, MasterKeyCommand::table);
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Rotates the master key: creates a new one in the HSM and re-wraps every data-key version and "
                    + "TOTP secret under it, in one transaction (no data is re-encrypted; role admin). The old master "
                    + "key stays in the HSM, retired, until nothing references it.",
                    "A dangerous operation: it needs the current TOTP code of the token's principal (--otp or "
                    + "PGSEAL_OTP)."},
            footer = {"", "Examples:", "  ./pgseal master-key rotate --otp 492039",
                    "  PGSEAL_OTP=492039 ./pgseal master-key rotate --json"})
    static final class Rotate implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Mixin
        OtpOptions otp;

        @Override
        public Integer call() {
            return AdminClient.call(server, otp, "POST", "/v1/master-keys/rotate", null, b -> "rotated the master key from "
                    + b.path("from").asText() + " to " + b.path("to").asText() + "\n" + table(b));
        }
    }

    private static String table(JsonNode b) {
        TextTable t = new TextTable("LABEL", "CURRENT", "DATA KEY VERSIONS", "TOTP SECRETS");
        for (JsonNode m : b.path("master_keys")) {
            t.row(m.path("label").asText(), m.path("current").asBoolean() ? "*" : "",
                    m.path("data_key_versions").asText(), m.path("totp_secrets").asText());
        }
        return t.toString();
    }
}
