package dev.pgseal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.sql.lex.LexSettings;
import dev.pgseal.sql.lex.SqlLexException;
import dev.pgseal.sql.lex.SqlLexer;
import dev.pgseal.sql.lex.SqlToken;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the lexer against the real one: for a corpus of tricky literals and names, the value
 * PostgreSQL computes (or its refusal) under both settings of {@code standard_conforming_strings}
 * must equal what {@link SqlLexer} decodes. Skips only when no PostgreSQL answers.
 */
class PostgresLexerConformanceIT {

    private static final String URL_ENV = "PGSEAL_TEST_PG_URL";

    private static Connection connection;

    /** Literals, each used as {@code SELECT <literal>}. */
    private static final List<String> LITERALS = List.of(
            "'a''b'",
            "'a\\nb'",
            "'it\\'s'",
            "'\\'",
            "E'a\\nb\\t\\x41\\101\\u00e9\\U0001F600\\q\\''",
            "e'\\303\\251'",
            "E'\\xC3\\xA9'",
            "E'\\\\'",
            "E'\\8'",
            "'a'\n'b'",
            "'a'\r'b'",
            "'a'\r\n'b'",
            "'a' -- c\n'b'",
            "'a'\n-- x\n-- y\n'b'",
            "'a'\n-- x'b'\n'c'",
            "'a' \t\f\n \n\t'b'",
            "E'\\x41'\n'\\x42'",
            "'\\x41'\n'\\x42'",
            "U&'\\0061\\+000062'",
            "U&'!0061' UESCAPE '!'",
            "U&'a!!b' /* c */ UESCAPE -- x\n '!'",
            "U&'a#0062' uescape $$#$$",
            "U&'\\D83D\\DE00'",
            "U&'a'\n'\\0062'",
            "U&'\\\\'",
            "$$a\\b$$",
            "$x$a$y$b$x$",
            "$_é$x$_é$",
            "E'\\u12'",
            "E'\\000'",
            "E'\\uD83D'",
            "E'\\uDE00'",
            "E'\\uD83D\\u0041'",
            "E'\\U00110000'",
            "E'\\xff'",
            "U&'\\0000'",
            "U&'\\12'",
            "U&'\\D83D'",
            "U&'a' UESCAPE 'ab'",
            "U&'a' UESCAPE '+'",
            "'open",
            "E'open\\'",
            "$a$ open");

    /** Names, each used as {@code SELECT 1 AS <name>}. */
    private static final List<String> NAMES = List.of(
            "\"Mixed\"\"Q\"",
            "ABC",
            "ÉCOLE",
            "a$b$",
            "_x1",
            "U&\"\\0063ust\"",
            "U&\"d!0061t\" UESCAPE '!'",
            "a".repeat(70),
            "\"" + "x".repeat(62) + "é\"",
            "\"" + "x".repeat(61) + "é\"",
            "U&\"" + "\\0063".repeat(64) + "\"",
            "\"\"",
            "U&\"\"");

    @BeforeAll
    static void connect() {
        String url = System.getenv(URL_ENV);
        if (url == null || url.isBlank()) {
            url = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        }
        String bounded = url + (url.contains("?") ? "&" : "?") + "connectTimeout=5&socketTimeout=30&preferQueryMode=simple";
        try {
            connection = DriverManager.getConnection(bounded);
        } catch (SQLException e) {
            Assumptions.abort("no PostgreSQL answers at " + url + ": " + e.getMessage());
        }
    }

    @AfterAll
    static void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }

    @Test
    void stringLiteralsDecodeAsPostgresqlDecodesThem() throws SQLException {
        List<String> mismatches = new ArrayList<>();
        for (LexSettings settings : List.of(LexSettings.STANDARD, LexSettings.LEGACY)) {
            for (String literal : LITERALS) {
                String sql = "SELECT " + literal;
                String expected = postgres(sql, settings);
                String actual = ours(sql, settings, 2, SqlToken.Kind.STRING);
                if (!expected.equals(actual)) {
                    mismatches.add(settings + " " + show(literal) + ": postgres " + show(expected) + ", lexer " + show(actual));
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void namesFoldDecodeAndTruncateAsPostgresqlDoes() throws SQLException {
        List<String> mismatches = new ArrayList<>();
        for (LexSettings settings : List.of(LexSettings.STANDARD, LexSettings.LEGACY)) {
            for (String name : NAMES) {
                String sql = "SELECT 1 AS " + name;
                String expected = postgresLabel(sql, settings);
                String actual = ours(sql, settings, 4, null);
                if (!expected.equals(actual)) {
                    mismatches.add(settings + " " + show(name) + ": postgres " + show(expected) + ", lexer " + show(actual));
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static String postgres(String sql, LexSettings settings) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute("SET standard_conforming_strings = " + (settings.standardConformingStrings() ? "on" : "off"));
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return "value:" + rs.getString(1);
            } catch (SQLException e) {
                return "error";
            }
        }
    }

    private static String postgresLabel(String sql, LexSettings settings) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute("SET standard_conforming_strings = " + (settings.standardConformingStrings() ? "on" : "off"));
            try (ResultSet rs = st.executeQuery(sql)) {
                return "value:" + rs.getMetaData().getColumnLabel(1);
            } catch (SQLException e) {
                return "error";
            }
        }
    }

    /** The value of the last token, when the text lexes into {@code count} tokens; else "error". */
    private static String ours(String sql, LexSettings settings, int count, SqlToken.Kind kind) {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(sql, settings);
        } catch (SqlLexException e) {
            return "error";
        }
        SqlToken last = tokens.get(tokens.size() - 1);
        if (tokens.size() != count || (kind != null && last.kind() != kind) || (kind == null && !last.isName())) {
            return "tokens:" + tokens;
        }
        return "value:" + last.text();
    }

    private static String show(String s) {
        return StatementScreen.ascii(s).replace("\n", "\\n");
    }
}
