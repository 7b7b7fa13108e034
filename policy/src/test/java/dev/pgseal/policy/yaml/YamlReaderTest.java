package dev.pgseal.policy.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class YamlReaderTest {

    @Test
    void keepsOneBasedLinesAndColumnsOfEveryNode() {
        Diagnostics d = new Diagnostics();
        YamlNode root = YamlReader.read("""
                listen:
                  host: 127.0.0.1
                  ports: [1, 2]
                """, "server.yaml", d).orElseThrow();
        assertThat(d.all()).isEmpty();
        YamlMapping top = (YamlMapping) root;
        assertThat(top.location()).isEqualTo(new Location("server.yaml", 1, 1));
        YamlMapping listen = (YamlMapping) top.get("listen").orElseThrow();
        assertThat(listen.location()).isEqualTo(new Location("server.yaml", 2, 3));
        YamlScalar host = (YamlScalar) listen.get("host").orElseThrow();
        assertThat(host.value()).isEqualTo("127.0.0.1");
        assertThat(host.location()).isEqualTo(new Location("server.yaml", 2, 9));
        assertThat(listen.entry("host").orElseThrow().key().location()).isEqualTo(new Location("server.yaml", 2, 3));
        YamlSequence ports = (YamlSequence) listen.get("ports").orElseThrow();
        assertThat(ports.items()).extracting(YamlNode::location).extracting(Location::column).containsExactly(11, 14);
    }

    @Test
    void reportsEveryDuplicateKeyAndKeepsTheFirstValue() {
        Diagnostics d = new Diagnostics();
        YamlMapping root = (YamlMapping) YamlReader.read("a: 1\nb: 2\na: 3\nb: 4\n", "f.yaml", d).orElseThrow();
        assertThat(d.errors()).extracting(Diagnostic::toString).containsExactly(
                "f.yaml:3:1: duplicate key 'a' (first at line 1)",
                "f.yaml:4:1: duplicate key 'b' (first at line 2)");
        assertThat(((YamlScalar) root.get("a").orElseThrow()).value()).isEqualTo("1");
    }

    @Test
    void reportsNonScalarKeys() {
        Diagnostics d = new Diagnostics();
        YamlReader.read("? [a, b]\n: 1\n", "f.yaml", d);
        assertThat(d.errors()).extracting(Diagnostic::toString)
                .containsExactly("f.yaml:1:3: a mapping key must be a plain name, not a list");
    }

    @Test
    void turnsSyntaxErrorsIntoDiagnosticsWithThePosition() {
        Diagnostics d = new Diagnostics();
        assertThat(YamlReader.read("a: 1\n  b: 2\n", "f.yaml", d)).isEmpty();
        assertThat(d.errors()).hasSize(1);
        assertThat(d.errors().get(0).toString()).startsWith("f.yaml:2:4: YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void expandsAliasesButRefusesAliasBombs() {
        Diagnostics ok = new Diagnostics();
        YamlMapping root = (YamlMapping) YamlReader.read("a: &x {k: v}\nb: *x\n", "f.yaml", ok).orElseThrow();
        assertThat(ok.all()).isEmpty();
        assertThat(root.get("b").orElseThrow()).isInstanceOf(YamlMapping.class);

        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            bomb.append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1)))).append("]\n");
        }
        Diagnostics d = new Diagnostics();
        assertThat(YamlReader.read(bomb.toString(), "bomb.yaml", d)).isEmpty();
        assertThat(d.errors()).hasSize(1);
        assertThat(d.errors().get(0).file()).isEqualTo("bomb.yaml");
    }

    @Test
    void readsFilesAndRecordsWhyOneCannotBeRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("server.yaml");
        java.nio.file.Files.writeString(file, "listen: {port: 6543}\n");
        Diagnostics d = new Diagnostics();
        YamlMapping root = (YamlMapping) YamlReader.readFile(file, d).orElseThrow();
        assertThat(root.location()).isEqualTo(new Location(file.toString(), 1, 1));

        assertThat(YamlReader.readFile(dir.resolve("absent.yaml"), d)).isEmpty();
        assertThat(d.errors()).extracting(Diagnostic::toString).containsExactly(dir.resolve("absent.yaml") + ": no such file");
    }

    @Test
    void readsAnEmptyDocumentAsNothingWithoutError() {
        Diagnostics d = new Diagnostics();
        assertThat(YamlReader.read("# only a comment\n", "f.yaml", d)).isEmpty();
        assertThat(d.all()).isEmpty();
    }

    @Test
    void treatsOnlyUnquotedNullSpellingsAsNull() {
        Diagnostics d = new Diagnostics();
        YamlMapping root = (YamlMapping) YamlReader.read("a:\nb: ~\nc: 'null'\nd: null\n", "f.yaml", d).orElseThrow();
        List<Boolean> nulls = root.entries().stream().map(e -> ((YamlScalar) e.value()).isNull()).toList();
        assertThat(nulls).containsExactly(true, true, false, true);
    }
}
