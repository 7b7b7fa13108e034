package dev.pgseal.policy.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlFieldsTest {

    private static YamlFields fields(String yaml, Diagnostics d) {
        return YamlFields.of(YamlReader.read(yaml, "c.yaml", d).orElseThrow(), "the file", d).orElseThrow();
    }

    @Test
    void readsTypedValues() {
        Diagnostics d = new Diagnostics();
        YamlFields f = fields("""
                name: pgseal
                port: 6543
                tls: true
                timeout: 30s
                unit: seconds
                hosts: [a, b]
                nested: {x: 1}
                """, d);
        assertThat(f.string("name")).contains("pgseal");
        assertThat(f.integer("port")).hasValue(6543);
        assertThat(f.bool("tls")).contains(true);
        assertThat(f.duration("timeout")).contains(Duration.ofSeconds(30));
        assertThat(f.enumValue("unit", TimeUnit.class)).contains(TimeUnit.SECONDS);
        assertThat(f.scalarList("hosts", false).orElseThrow()).extracting(YamlScalar::value).containsExactly("a", "b");
        assertThat(f.map("nested").orElseThrow().integer("x")).hasValue(1);
        assertThat(f.string("absent")).isEmpty();
        assertThat(d.all()).isEmpty();
    }

    @Test
    void recordsEveryWrongValueInsteadOfThrowing() {
        Diagnostics d = new Diagnostics();
        YamlFields f = fields("""
                port: "6543"
                tls: yes
                timeout: 30 seconds
                unit: second
                hosts: a
                nested: [1]
                name: [x]
                """, d);
        assertThat(f.integer("port")).isEmpty();
        assertThat(f.bool("tls")).isEmpty();
        assertThat(f.duration("timeout")).isEmpty();
        assertThat(f.enumValue("unit", TimeUnit.class)).isEmpty();
        assertThat(f.list("hosts")).isEmpty();
        assertThat(f.map("nested")).isEmpty();
        assertThat(f.string("name")).isEmpty();
        assertThat(f.requiredString("missing")).isEmpty();
        f.allowOnly("port", "tls", "timeout", "unit", "hosts", "nested");
        assertThat(d.errors()).extracting(Diagnostic::toString).containsExactly(
                "c.yaml:1:1: missing required key 'missing'",
                "c.yaml:1:7: 'port' must be a whole number, not '6543'",
                "c.yaml:2:6: 'tls' must be true or false, not 'yes'",
                "c.yaml:3:10: invalid duration '30 seconds' for 'timeout': use a positive whole number followed by ms,"
                        + " s, m (minutes), h, d or w, e.g. 90d",
                "c.yaml:4:7: invalid value 'second' for 'unit' (did you mean 'seconds'?)",
                "c.yaml:5:8: 'hosts' must be a list, not a string",
                "c.yaml:6:9: 'nested' must be a mapping of keys to values, not a list",
                "c.yaml:7:1: unknown key 'name'; expected one of: port, tls, timeout, unit, hosts, nested",
                "c.yaml:7:7: 'name' must be a single value, not a list");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "15m, PT15M", "12h, PT12H", "90d, PT2160H", "2w, PT336H"})
    void parsesDurations(String text, String iso) {
        assertThat(DurationText.parse(text)).contains(Duration.parse(iso));
        assertThat(DurationText.parse(DurationText.format(Duration.parse(iso)))).contains(Duration.parse(iso));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"0d", "-1d", "1.5h", "1h30m", "3mo", "1y", "d", "90", "90 d", ""})
    void refusesOtherDurationForms(String text) {
        assertThat(DurationText.parse(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} among known -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            encrytion     | encryption
            on_unauthorised | on_unauthorized
            reader        | readers
            nmae          | name
            zzz           |
            """)
    void suggestsOnlyPlausibleTypos(String word, String expected) {
        var known = java.util.List.of("name", "type", "encryption", "key", "readers", "writers", "on_unauthorized", "mask");
        assertThat(Suggestions.closest(word, known).orElse(null)).isEqualTo(expected);
    }
}
