package dev.pgseal.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgseal.keys.CanonicalCodec;
import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.ColumnIdentity;
import dev.pgseal.keys.EncryptionMode;
import dev.pgseal.keys.WireFormat;
import dev.pgseal.policy.LogicalType;
import dev.pgseal.testing.PostgresFixture;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Envelopes stored in a real {@code bytea} column: a deterministic equality predicate built from
 * {@link ColumnCipher#encryptForEachVersion} finds rows written under an older key version and
 * under the primary, whether the search value came as text or binary; stored values decrypt back.
 */
class DeterministicSearchInPostgresIT {

    private static final ColumnIdentity COLUMN = ColumnIdentity.of("public", "patients", "account");

    @Test
    void equalitySearchMatchesEveryLiveKeyVersionAndEveryClientSpelling() throws Exception {
        InMemoryKeyResolver keys = new InMemoryKeyResolver().ring("patients", 1, 1);
        ColumnCipher cipher = ColumnCipher.create(keys);
        CanonicalCodec int8 = CanonicalCodec.forType(LogicalType.of(LogicalType.Kind.INT8));
        String db = PostgresFixture.get().createDatabase("pgseal_search");
        try (Connection c = PostgresFixture.get().connect(db)) {
            try (Statement s = c.createStatement()) {
                s.execute("create table patients (id int primary key, account bytea not null)");
            }
            // Row 1 written under version 1; then the ring rotates to version 2 and row 2 is written.
            insert(c, 1, cipher.encrypt(COLUMN, EncryptionMode.DETERMINISTIC, "patients", int8.fromText("42")));
            keys.ring("patients", 1, 2);
            insert(c, 2, cipher.encrypt(COLUMN, EncryptionMode.DETERMINISTIC, "patients", int8.fromText("+042")));
            insert(c, 3, cipher.encrypt(COLUMN, EncryptionMode.DETERMINISTIC, "patients", int8.fromText("43")));

            byte[] binary42 = ByteBuffer.allocate(8).putLong(42).array();
            List<byte[]> terms = cipher.encryptForEachVersion(COLUMN, "patients",
                    int8.fromWire(binary42, WireFormat.BINARY, ZoneOffset.UTC));
            assertThat(terms).hasSize(2);
            assertThat(idsMatching(c, terms)).containsExactly(1, 2);
            assertThat(idsMatching(c, terms.subList(0, 1))).as("primary version only").containsExactly(2);

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select account from patients order by id")) {
                List<String> values = new ArrayList<>();
                while (rs.next()) {
                    values.add(int8.toText(cipher.decrypt(COLUMN, "patients", rs.getBytes(1))));
                }
                assertThat(values).containsExactly("42", "42", "43");
            }
        }
    }

    private static void insert(Connection c, int id, byte[] envelope) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("insert into patients values (?, ?)")) {
            ps.setInt(1, id);
            ps.setBytes(2, envelope);
            ps.executeUpdate();
        }
    }

    private static List<Integer> idsMatching(Connection c, List<byte[]> terms) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select id from patients where account = any(?) order by id")) {
            ps.setArray(1, c.createArrayOf("bytea", terms.toArray(new byte[0][])));
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
            return ids;
        }
    }
}
