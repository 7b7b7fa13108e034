package dev.pgseal.wire.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import dev.pgseal.testing.hsm.SoftHsmToken;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./pgseal demo}: its contract lines, the row stored as envelopes and read through pgseal as plaintext (or masked). */
class DemoEnvironmentIT {

    @TempDir
    Path dir;

    /**
     * The demo writes the SoftHSM2 config named by SOFTHSM2_CONF when it is missing; let the test
     * token fixture write it first so both share one token folder that outlives this test.
     */
    @BeforeAll
    static void softHsmConfigBelongsToTheTestFixture() {
        SoftHsmToken.get();
    }

    @Test
    void printsBothUrlsAndShowsTheRowAsStoredAndAsDecrypted() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DemoEnvironment demo = DemoEnvironment.start(dir, 0, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                "pgseal-demo-" + Long.toString(System.nanoTime() % 2_000_000_000L, 36))) {
            String out = bytes.toString(StandardCharsets.UTF_8);
            String proxy = line(out, "proxy: ");
            String direct = line(out, "direct: ");
            assertThat(proxy).matches("proxy: postgresql://postgres@127\\.0\\.0\\.1:\\d+/shop");
            assertThat(direct).matches("direct: postgresql://postgres@127\\.0\\.0\\.1:\\d+/shop");
            assertThat(out).contains("email=\\x02").contains("email=ada@example.com").contains("ssn=123-45-6789")
                    .contains("ssn=***-**-6789").contains("notes=null").contains("ERROR 0A000");

            String directJdbc = "jdbc:postgresql://" + direct.substring("direct: postgresql://postgres@".length());
            try (Connection c = DriverManager.getConnection(directJdbc, "postgres", null);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select email, ssn, notes from customers")) {
                assertThat(rs.next()).isTrue();
                for (int i = 1; i <= 3; i++) {
                    String stored = new String(rs.getBytes(i), StandardCharsets.ISO_8859_1);
                    assertThat(stored).as("PostgreSQL holds no plaintext")
                            .doesNotContain("ada@example.com").doesNotContain("6789").doesNotContain("prefers");
                }
            }
        }
    }

    private static String line(String out, String prefix) {
        return Arrays.stream(out.split("\n")).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + out));
    }
}
