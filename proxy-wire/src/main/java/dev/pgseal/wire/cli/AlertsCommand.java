package dev.pgseal.wire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgseal.keys.alerts.AlertRule;
import dev.pgseal.keys.audit.AuditQuery;
import dev.pgseal.policy.yaml.DurationText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgseal alerts …}: the alerts a running server raised, as recorded in its audit log. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Show the alerts pgseal raised (denied requests, decrypt volume, deletions, compromised keys, "
                + "configuration changes, HSM errors).",
        footer = {"", "Example: PGSEAL_TOKEN=$(cat auditor.token) ./pgseal alerts list --since 24h"},
        subcommands = {AlertsCommand.ListAlerts.class})
final class AlertsCommand extends CommandGroup {

    /** Replaced by tests that need a fixed "now" for {@code --since 1h}. */
    static Clock clock = Clock.systemUTC();

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists recent alerts, oldest first: when, which rule, on what subject, and why "
                    + "(roles admin, auditor). Reads the audit log through the admin API, so alerts of every "
                    + "instance sharing the store show.",
                    "Exit code 0 on success (also when there is no alert), 1 when refused or failed, 2 on bad usage."},
            footer = {"", "Examples:", "  ./pgseal alerts list",
                    "  ./pgseal alerts list --since 2h --rule denied_requests",
                    "  ./pgseal alerts list --server https://pgseal.internal:6544 --cacert admin-ca.pem --json"})
    static final class ListAlerts implements Callable<Integer> {

        @Option(names = "--since", paramLabel = "WHEN",
                description = "Only alerts at or after WHEN: an ISO-8601 instant (2026-01-31T12:00:00Z) or a period "
                        + "back from now (90m, 24h, 7d).")
        String since;

        @Option(names = "--rule", paramLabel = "RULE",
                description = "Only this rule's alerts: ${COMPLETION-CANDIDATES}.", completionCandidates = RuleIds.class)
        String rule;

        @Option(names = "--limit", paramLabel = "N", description = "At most N alerts (1-1000, default 100).")
        Integer limit;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            List<String> query = new ArrayList<>();
            try {
                if (since != null) {
                    query.add("since=" + encode(instant(since).toString()));
                }
                if (rule != null) {
                    query.add("rule=" + encode(AlertRule.parse(rule).id()));
                }
            } catch (IllegalArgumentException e) {
                System.err.println("pgseal: " + e.getMessage());
                return 2;
            }
            if (limit != null) {
                if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
                    System.err.println("pgseal: --limit must be from 1 to " + AuditQuery.MAX_LIMIT + ", not " + limit);
                    return 2;
                }
                query.add("limit=" + limit);
            }
            String path = "/v1/alerts" + (query.isEmpty() ? "" : "?" + String.join("&", query));
            return AdminClient.call(server, "GET", path, null, body -> table(body.path("alerts")));
        }
    }

    /** The rule ids, for {@code --help}. */
    static final class RuleIds extends ArrayList<String> {
        RuleIds() {
            for (AlertRule r : AlertRule.values()) {
                add(r.id());
            }
        }
    }

    /** An ISO-8601 instant, or now minus a period such as {@code 24h}. */
    static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            Optional<java.time.Duration> back = DurationText.parse(text);
            if (back.isPresent()) {
                return clock.instant().minus(back.get());
            }
            throw new IllegalArgumentException("--since: expected an ISO-8601 instant such as 2026-01-31T12:00:00Z or a "
                    + "period such as 24h, not '" + text + "'");
        }
    }

    static String table(JsonNode alerts) {
        TextTable t = new TextTable("AT", "RULE", "SUBJECT", "MESSAGE");
        for (JsonNode a : alerts) {
            t.row(a.path("at").asText(), a.path("rule").asText(), a.path("subject").asText(), a.path("message").asText());
        }
        return t + (t.isEmpty() ? "(no alerts)\n" : "");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
