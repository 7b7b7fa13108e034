package dev.pgseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QualifiedNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            patients                | public | patients  | public.patients
            Public.Patients         | public | patients  | public.patients
            "Sales"."Orders"        | Sales  | Orders    | "Sales"."Orders"
            sales."Order Lines"     | sales  | Order Lines | sales."Order Lines"
            "we""ird"               | public | we"ird    | public."we""ird"
            s.user                  | s      | user      | s."user"
            _x$1                    | public | _x$1      | public._x$1
            """)
    void foldsUnquotedNamesAndKeepsQuotedOnes(String text, String schema, String name, String sql) {
        QualifiedName q = QualifiedName.parse(text);
        assertThat(q).isEqualTo(new QualifiedName(schema, name));
        assertThat(q.toSql()).isEqualTo(sql);
        assertThat(QualifiedName.parse(q.toSql())).isEqualTo(q);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            a.b.c          | expected table or schema.table, not 3 parts
            "abc           | unterminated quoted identifier
            a.             | the name ends with '.'
            1abc           | unexpected character '1' (quote the identifier with double quotes to use it)
            a-b            | unexpected character '-' (quote the identifier with double quotes to use it)
            ""             | a quoted identifier must not be empty
            "a"b           | unexpected character 'b' after a quoted identifier
            """)
    void refusesMalformedNames(String text, String message) {
        assertThatThrownBy(() -> QualifiedName.parse(text)).hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void refusesIdentifiersLongerThan63Bytes() {
        assertThat(QualifiedName.parse("a".repeat(63)).name()).hasSize(63);
        assertThatThrownBy(() -> QualifiedName.parse("a".repeat(64))).hasMessage("identifier longer than 63 bytes");
        assertThatThrownBy(() -> QualifiedName.parse("\"" + "é".repeat(32) + "\"")).hasMessage("identifier longer than 63 bytes");
    }
}
