package dev.pgseal.wire.session;

import dev.pgseal.wire.SessionRefusal;
import dev.pgseal.wire.protocol.startup.StartupOptions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which StartupMessage parameters pgseal passes to PostgreSQL. An allowlist, because a parameter
 * set at startup changes the session before pgseal has seen one statement: {@code replication}
 * opens a walsender that reads no SQL, {@code search_path} could reach the key store's schema,
 * {@code standard_conforming_strings} and {@code client_encoding} change how statement text must
 * be lexed. Names compare case-insensitively, as PostgreSQL compares run-time parameter names;
 * {@code _pq_.*} protocol options pass (PostgreSQL negotiates them). The {@code options}
 * parameter is read as PostgreSQL reads it and each setting in it meets the same rules.
 *
 * <p>Refusals carry {@code 08P01} for what pgseal does not accept in a startup packet at all and
 * {@code 0A000} for a value pgseal cannot serve; the message names the parameter, never quotes a
 * value beyond the short setting it refuses.
 */
public final class StartupParameterRules {
    /**
     * Parameters clients really send at startup (libpq, pgjdbc, npgsql, psycopg, node-postgres),
     * in lower case. Anything else is refused, not dropped: dropping would silently change the
     * session the client asked for.
     */
    public static final Set<String> ALLOWED = Set.of(
            "user", "database", "options", "application_name", "fallback_application_name",
            "client_encoding", "datestyle", "timezone", "intervalstyle", "extra_float_digits",
            "search_path", "geqo", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
            "idle_session_timeout", "default_transaction_isolation", "default_transaction_read_only",
            "default_transaction_deferrable", "standard_conforming_strings", "lc_monetary", "lc_numeric",
            "lc_time", "work_mem", "jit");

    /** Names shown in messages are cut here: a name is the client's, and a message is not a dump. */
    private static final int MAX_NAME_IN_MESSAGE = 64;

    private StartupParameterRules() {
    }

    /** The first reason to refuse {@code parameters}, or empty when every one of them may pass. */
    public static Optional<SessionRefusal> check(Map<String, String> parameters) {
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            String name = p.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("_pq_.")) {
                continue;
            }
            if (lower.equals("replication")) {
                return refuse("0A000", "pgseal does not relay replication connections (startup parameter \"replication\")");
            }
            Optional<SessionRefusal> r = lower.equals("options") ? checkOptions(p.getValue())
                    : checkSetting(name, p.getValue(), "startup parameter");
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    private static Optional<SessionRefusal> checkOptions(String options) {
        for (StartupOptions.Item item : StartupOptions.parse(options)) {
            if (item instanceof StartupOptions.Setting s) {
                if (s.value() == null) {
                    return refuse("08P01", "setting \"" + shown(s.name()) + "\" in startup parameter \"options\" has no value");
                }
                if (s.name().equalsIgnoreCase("options")) {
                    return refuse("08P01", "setting \"options\" is not allowed by pgseal in startup parameter \"options\"");
                }
                Optional<SessionRefusal> r = checkSetting(s.name(), s.value(), "setting in startup parameter \"options\"");
                if (r.isPresent()) {
                    return r;
                }
            } else if (item instanceof StartupOptions.Word w) {
                return refuse("08P01", "\"" + shown(w.text()) + "\" in startup parameter \"options\" is not allowed by pgseal"
                        + " (only -c name=value and --name=value)");
            }
        }
        return Optional.empty();
    }

    private static Optional<SessionRefusal> checkSetting(String name, String value, String what) {
        String lower = name.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "session_authorization", "role" -> {
                return refuse("0A000", what + " \"" + lower + "\" is not allowed by pgseal: "
                        + "a session's role is the role it authenticated as");
            }
            case "standard_conforming_strings" -> {
                if (!isTrue(value)) {
                    return refuse("0A000", what + " \"standard_conforming_strings\" must be on: "
                            + "pgseal reads statements as PostgreSQL does with it on");
                }
                return Optional.empty();
            }
            case "client_encoding" -> {
                if (!ClientEncodings.isSupported(value)) {
                    return refuse("0A000", what + " \"client_encoding\": pgseal cannot read statements in encoding \""
                            + shown(value) + "\"; supported: " + String.join(", ", ClientEncodings.supported()));
                }
                return Optional.empty();
            }
            case "search_path" -> {
                if (namesSchemaPgseal(value)) {
                    return refuse("0A000", what + " \"search_path\" may not name schema \"pgseal\"");
                }
                return Optional.empty();
            }
            default -> {
                if (!ALLOWED.contains(lower) || lower.equals("options")) {
                    return refuse("08P01", what + " \"" + shown(name) + "\" is not allowed by pgseal");
                }
                return Optional.empty();
            }
        }
    }

    /** PostgreSQL's parse_bool for true: on, true, yes, 1 and unique prefixes of true and yes. */
    static boolean isTrue(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            return false;
        }
        return v.equals("on") || v.equals("1") || "true".startsWith(v) || "yes".startsWith(v);
    }

    /**
     * Whether a search_path list names {@code pgseal}. Quotes are dropped and case ignored, so
     * {@code "PGSEAL"} is refused too: refusing a look-alike costs nothing, missing the real one
     * would open the key store.
     */
    static boolean namesSchemaPgseal(String searchPath) {
        for (String element : searchPath.split(",")) {
            String e = element.trim().replace("\"", "");
            if (e.equalsIgnoreCase("pgseal")) {
                return true;
            }
        }
        return false;
    }

    private static String shown(String s) {
        String cut = s.length() > MAX_NAME_IN_MESSAGE ? s.substring(0, MAX_NAME_IN_MESSAGE) + "…" : s;
        return LogText.escape(cut);
    }

    private static Optional<SessionRefusal> refuse(String sqlState, String message) {
        return Optional.of(new SessionRefusal(sqlState, message));
    }
}
