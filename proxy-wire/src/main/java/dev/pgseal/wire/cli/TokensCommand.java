package dev.pgseal.wire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgseal.keys.KeyCacheSettings;
import dev.pgseal.keys.KeyService;
import dev.pgseal.keys.access.AccessException;
import dev.pgseal.keys.access.AccessToken;
import dev.pgseal.keys.access.AccessTokens;
import dev.pgseal.keys.access.IssuedToken;
import dev.pgseal.keys.access.Role;
import dev.pgseal.wire.config.ServerConfig;
import java.nio.file.Path;
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
 * {@code pgseal tokens …}: the admin API's principals and bearer tokens. With {@code --config} the
 * commands work offline against the store (that is how the first admin token is made); without it
 * they ask the running server, as an admin. Either way the change is in the keyed audit log.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Create, list and revoke the bearer tokens of the admin API.",
        footer = {"", "Example: ./pgseal tokens create --config pgseal.yaml --role admin --name alice"},
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
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
                return offline(config, server.json, tokens -> {
                    IssuedToken issued = tokens.create(name, r, localActor());
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
                return offline(config, server.json, tokens -> {
                    List<Map<String, Object>> list = new ArrayList<>();
                    tokens.list().forEach(t -> list.add(json(t)));
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
                        tokens -> AdminClient.JSON.valueToTree(json(tokens.revoke(id, localActor()))), done);
            }
            return AdminClient.call(server, "POST", "/v1/tokens/" + AdminClient.segment(id) + "/revoke", null, done);
        }
    }

    // ---------------------------------------------------------------- offline

    /**
     * Opens the key service of {@code config} (keystore and store: the audit log is keyed in the
     * HSM, so even an offline change is audited), runs {@code work}, and prints its result.
     */
    private static int offline(Path config, boolean json, Function<AccessTokens, JsonNode> work,
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
            result = work.apply(keys.accessTokens());
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

    /** The token alone on stdout (so {@code > file} captures just it); what it is on stderr. */
    private static String created(JsonNode b) {
        System.err.println("pgseal: token " + b.path("id").asText() + " for " + b.path("principal").asText() + " (role "
                + b.path("role").asText() + "). It is shown once and cannot be recovered: store it now.");
        return b.path("token").asText() + "\n";
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
