package dev.pgseal.keys.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.testing.PostgresFixture;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The codecs against a real PostgreSQL: for random values of each type, PostgreSQL parses the
 * same text to the value whose binary send output our codec reads to the same canonical bytes,
 * and our text output is what PostgreSQL prints (for numeric: the same number, as our canonical
 * form drops the display scale; see docs/crypto.md).
 */
class CanonicalCodecMatchesPostgresIT {

    private static final ZoneId SESSION = ZoneId.of("Europe/Paris");

    @ParameterizedTest
    @EnumSource(LogicalType.Kind.class)
    void parsesAndPrintsLikePostgres(LogicalType.Kind kind) throws Exception {
        LogicalType type = kind.takesLength() ? new LogicalType(kind, OptionalInt.of(12)) : LogicalType.of(kind);
        CanonicalCodec codec = CanonicalCodec.forType(type);
        Random random = new Random(977L * kind.ordinal() + 5);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            texts.addAll(CanonicalEncodingPropertyTest.sample(kind, random, SESSION).texts());
        }
        // Column 2 comes back in text format: getString gives what the type's output function printed.
        String sql = "select t, t::" + type + ", " + sendFunction(kind) + "(t::" + type + ") "
                + "from unnest(?::text[]) with ordinality as u(t, n) order by n";
        int checked = 0;
        try (Connection c = PostgresFixture.get().connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("set timezone = '" + SESSION.getId() + "'");
                s.execute("set extra_float_digits = 1");
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Array array = c.createArrayOf("text", texts.toArray());
                ps.setArray(1, array);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String input = rs.getString(1);
                        String pgText = rs.getString(2);
                        byte[] pgBinary = rs.getBytes(3);
                        byte[] canonical = codec.fromText(input, SESSION);
                        assertThat(codec.fromBinary(pgBinary)).as("%s [%s]", type, input).isEqualTo(canonical);
                        String ours = codec.toText(canonical, SESSION);
                        if (kind == LogicalType.Kind.NUMERIC) {
                            assertThat(codec.fromText(pgText, SESSION)).as("%s [%s]", type, input).isEqualTo(canonical);
                            assertThat(ours).isEqualTo(pgText.contains(".") && !pgText.contains("e")
                                    ? pgText.replaceAll("0+$", "").replaceAll("\\.$", "") : pgText);
                        } else if (kind == LogicalType.Kind.FLOAT8 && pgText.equals("-0")) {
                            assertThat(ours).isEqualTo("0"); // -0 folds into 0 (documented)
                        } else {
                            assertThat(ours).as("%s [%s]", type, input).isEqualTo(pgText);
                        }
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(texts.size());
    }

    private static String sendFunction(LogicalType.Kind kind) {
        return switch (kind) {
            case TEXT -> "textsend";
            case VARCHAR -> "varcharsend";
            case CHAR -> "bpcharsend";
            case INT2 -> "int2send";
            case INT4 -> "int4send";
            case INT8 -> "int8send";
            case NUMERIC -> "numeric_send";
            case FLOAT8 -> "float8send";
            case BOOL -> "boolsend";
            case DATE -> "date_send";
            case TIMESTAMP -> "timestamp_send";
            case TIMESTAMPTZ -> "timestamptz_send";
            case UUID -> "uuid_send";
            case BYTEA -> "byteasend";
            case JSONB -> "jsonb_send";
        };
    }
}
