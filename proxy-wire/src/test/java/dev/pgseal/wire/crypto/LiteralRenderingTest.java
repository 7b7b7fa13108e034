package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.Splice;
import dev.pgseal.sql.TextEdit;
import dev.pgseal.sql.ValueUse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Encrypted literals in simple-query text, and edits applied with everything else kept as sent. */
class LiteralRenderingTest {

    private static final Pattern BYTEA = Pattern.compile("'\\\\x([0-9a-f]+)'::bytea");

    private final ColumnCipher cipher = TestKeys.standard().cipher();
    private final LiteralRendering rendering = new LiteralRendering(cipher, ZoneOffset.UTC, true);
    private final ColumnRef ssn = TestKeys.column("ssn", "text");
    private final ColumnRef age = TestKeys.column("age", "int4");

    @Test
    void editsReplaceTheirSpansRightToLeftAndKeepEverythingElse() {
        String sql = "insert into people (ssn, age) values ('123', 042) -- é 😀\n";
        int lit = sql.indexOf("'123'");
        int num = sql.indexOf("042");
        List<TextEdit> edits = List.of(
                new TextEdit(lit, lit + 5, List.of(new Splice.Encrypted(ssn, ValueUse.STORE, Optional.of("123")))),
                new TextEdit(num, num + 3, List.of(new Splice.Encrypted(age, ValueUse.STORE, Optional.of("042")))));

        String out = rendering.apply(sql, edits);

        assertThat(out).startsWith("insert into people (ssn, age) values ('\\x").endsWith("::bytea) -- é 😀\n");
        Matcher m = BYTEA.matcher(out);
        assertThat(m.find()).isTrue();
        assertThat(new String(cipher.decrypt(ParameterEncryption.identity(ssn), "k",
                HexFormat.of().parseHex(m.group(1))), StandardCharsets.UTF_8)).isEqualTo("123");
        assertThat(m.find()).isTrue();
        assertThat(ValueConversion.codec(age.column().type()).toText(cipher.decrypt(ParameterEncryption.identity(age),
                "k", HexFormat.of().parseHex(m.group(1))))).isEqualTo("42");
    }

    @Test
    void theUtf8VariantCopiesTheClientsBytesOutsideTheEdits() {
        String sql = "select '😀é' from people where ssn = 'x'";
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        int at = sql.indexOf("'x'");
        List<TextEdit> edits = List.of(new TextEdit(at, at + 3, List.of(new Splice.Text("$$y$$"))));
        assertThat(new String(rendering.applyUtf8(bytes, edits), StandardCharsets.UTF_8))
                .isEqualTo(rendering.apply(sql, edits))
                .isEqualTo("select '😀é' from people where ssn = $$y$$");
    }

    @Test
    void matchBecomesAnArrayWithOneEnvelopePerLiveVersionAndNullsStayNull() {
        assertThat(rendering.render(List.of(new Splice.Encrypted(ssn, ValueUse.MATCH, Optional.of("123")))))
                .matches("ARRAY\\['\\\\x[0-9a-f]+'::bytea,'\\\\x[0-9a-f]+'::bytea]");
        assertThat(rendering.render(List.of(new Splice.Text("= ANY("),
                new Splice.Encrypted(ssn, ValueUse.MATCH, Optional.empty()), new Splice.Text(")"))))
                .isEqualTo("= ANY(NULL::bytea[])");
        assertThat(rendering.render(List.of(new Splice.Encrypted(ssn, ValueUse.STORE, Optional.empty()))))
                .isEqualTo("NULL::bytea");
        ColumnRef code = TestKeys.column("code", "varchar(2)");
        assertThat(rendering.render(List.of(new Splice.Encrypted(code, ValueUse.MATCH, Optional.of("long")))))
                .isEqualTo("'{}'::bytea[]");
    }

    @Test
    void withoutStandardConformingStringsTheLiteralIsAnEscapeString() {
        LiteralRendering off = new LiteralRendering(cipher, ZoneOffset.UTC, false);
        assertThat(off.render(List.of(new Splice.Encrypted(ssn, ValueUse.STORE, Optional.of("1")))))
                .matches("E'\\\\\\\\x[0-9a-f]+'::bytea");
    }

    @Test
    void anInvalidLiteralFailsWithItsSqlstateNamingTheColumnNotTheValue() {
        assertThatThrownBy(() -> rendering.render(List.of(
                new Splice.Encrypted(age, ValueUse.STORE, Optional.of("secret-ish")))))
                .isInstanceOfSatisfying(ProtectedValueException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("22P02");
                    assertThat(e.getMessage()).contains("public.people.age").doesNotContain("secret-ish");
                });
    }
}
