package dev.pgseal.wire.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.wire.SessionRefusal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartupParameterRulesTest {
    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("user", "app");
        m.put("database", "db");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void whatPgjdbcLibpqAndNpgsqlSendPasses() {
        assertThat(StartupParameterRules.check(params("client_encoding", "UTF8", "DateStyle", "ISO",
                "TimeZone", "Europe/Berlin", "extra_float_digits", "2", "application_name", "psql",
                "fallback_application_name", "psql", "search_path", "app, public", "IntervalStyle", "iso_8601",
                "options", "-c statement_timeout=5s --lock-timeout=1s -c geqo=off", "_pq_.command_tag", "on",
                "standard_conforming_strings", "on", "default_transaction_read_only", "on"))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "replication|database|0A000|pgseal does not relay replication connections (startup parameter \"replication\")",
            "REPLICATION|true|0A000|pgseal does not relay replication connections (startup parameter \"replication\")",
            "work_memory|1MB|08P01|startup parameter \"work_memory\" is not allowed by pgseal",
            "allow_system_table_mods|on|08P01|startup parameter \"allow_system_table_mods\" is not allowed by pgseal",
            "session_authorization|postgres|0A000|startup parameter \"session_authorization\" is not allowed by pgseal: a session's role is the role it authenticated as",
            "Role|postgres|0A000|startup parameter \"role\" is not allowed by pgseal: a session's role is the role it authenticated as",
            "standard_conforming_strings|off|0A000|startup parameter \"standard_conforming_strings\" must be on: pgseal reads statements as PostgreSQL does with it on",
            "search_path|public, \"pgseal\"|0A000|startup parameter \"search_path\" may not name schema \"pgseal\"",
            "SEARCH_PATH|PgSeal|0A000|startup parameter \"search_path\" may not name schema \"pgseal\"",
            "options|-c search_path=pgseal|0A000|setting in startup parameter \"options\" \"search_path\" may not name schema \"pgseal\"",
            "options|--search-path=x,pgseal|0A000|setting in startup parameter \"options\" \"search_path\" may not name schema \"pgseal\"",
            "options|-c standard_conforming_strings=off|0A000|setting in startup parameter \"options\" \"standard_conforming_strings\" must be on: pgseal reads statements as PostgreSQL does with it on",
            "options|-c role=postgres|0A000|setting in startup parameter \"options\" \"role\" is not allowed by pgseal: a session's role is the role it authenticated as",
            "options|-c session-authorization=x|0A000|setting in startup parameter \"options\" \"session_authorization\" is not allowed by pgseal: a session's role is the role it authenticated as",
            "options|-c allow_system_table_mods=on|08P01|setting in startup parameter \"options\" \"allow_system_table_mods\" is not allowed by pgseal",
            "options|-c options=x|08P01|setting \"options\" is not allowed by pgseal in startup parameter \"options\"",
            "options|-c geqo|08P01|setting \"geqo\" in startup parameter \"options\" has no value",
            "options|-B 100|08P01|\"-B\" in startup parameter \"options\" is not allowed by pgseal (only -c name=value and --name=value)",
            "options|-ec geqo=on|08P01|\"-ec\" in startup parameter \"options\" is not allowed by pgseal (only -c name=value and --name=value)"})
    void refusalsNameTheParameterOrSetting(String name, String value, String sqlState, String message) {
        assertThat(StartupParameterRules.check(params(name, value))).contains(new SessionRefusal(sqlState, message));
    }

    @ParameterizedTest
    @CsvSource({"client_encoding, SJIS", "client_encoding, BIG5", "client_encoding, GB18030", "client_encoding, gbk"})
    void aClientEncodingPgsealCannotLexIsRefusedWithTheSupportedList(String name, String value) {
        Optional<SessionRefusal> r = StartupParameterRules.check(params(name, value));
        assertThat(r).hasValueSatisfying(refusal -> {
            assertThat(refusal.sqlState()).isEqualTo("0A000");
            assertThat(refusal.message()).startsWith("startup parameter \"client_encoding\": pgseal cannot read statements in encoding \""
                    + value + "\"; supported: UTF8, SQL_ASCII, LATIN1");
        });
        assertThat(StartupParameterRules.check(params("options", "-c client_encoding=" + value))).isPresent();
    }

    @ParameterizedTest
    @CsvSource({"on", "ON", "true", "t", "yes", "1"})
    void standardConformingStringsMaySayOnInAnySpellingPostgresAccepts(String value) {
        assertThat(StartupParameterRules.check(params("standard_conforming_strings", value))).isEmpty();
    }

    @Test
    void aControlCharacterInARefusedNameIsShownEscaped() {
        assertThat(StartupParameterRules.check(params("evil\nname", "x")).orElseThrow().message())
                .isEqualTo("startup parameter \"evil\\nname\" is not allowed by pgseal");
    }
}
