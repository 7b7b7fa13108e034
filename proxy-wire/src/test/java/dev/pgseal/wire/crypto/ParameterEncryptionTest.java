package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.ValueUse;
import dev.pgseal.wire.protocol.frontend.Bind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parse types, ParameterDescription and Bind of a plan's protected parameters. */
class ParameterEncryptionTest {

    private final TestKeys keys = TestKeys.standard();
    private final ColumnCipher cipher = keys.cipher();
    private final ColumnRef ssn = TestKeys.column("ssn", "text");
    private final ColumnRef age = TestKeys.column("age", "int4", Encryption.RANDOMIZED, OnUnauthorized.NULLIFY, null);

    @Test
    void parseDeclaresProtectedParametersByteaOrByteaArrayAndKeepsTheClientsOtherTypes() {
        List<ParameterPlan> plans = List.of(new ParameterPlan(2, age, ValueUse.STORE),
                new ParameterPlan(4, ssn, ValueUse.MATCH));
        assertThat(ParameterEncryption.parseTypes(new int[] {25, 23, 1043}, plans)).containsExactly(25, 17, 1043, 1001);
        assertThat(ParameterEncryption.parseTypes(new int[0], plans)).containsExactly(0, 17, 0, 1001);
    }

    @Test
    void parameterDescriptionShowsTheClientsDeclarationOrTheLogicalType() {
        List<ParameterPlan> plans = List.of(new ParameterPlan(1, age, ValueUse.STORE),
                new ParameterPlan(2, ssn, ValueUse.MATCH));
        assertThat(ParameterEncryption.describedTypes(new int[] {17, 1001, 25}, new int[0], plans))
                .containsExactly(23, 25, 25);
        assertThat(ParameterEncryption.describedTypes(new int[] {17, 1001, 25}, new int[] {20, 1043}, plans))
                .containsExactly(20, 1043, 25);
    }

    @Test
    void bindEncryptsStoreAsOneEnvelopeAndMatchAsAByteaArrayPerLiveVersionKeepingOtherValues() {
        List<ParameterPlan> plans = List.of(new ParameterPlan(1, age, ValueUse.STORE),
                new ParameterPlan(2, ssn, ValueUse.MATCH), new ParameterPlan(4, ssn, ValueUse.STORE));
        Bind bind = new Bind("p", "s", new short[] {1, 0, 0, 0},
                new byte[][] {ByteBuffer.allocate(4).putInt(42).array(), utf8("123-45-6789"), utf8("plain"), null},
                new short[] {1});

        Bind sent = roundTrip(ParameterEncryption.encrypt(bind, new int[] {23}, plans, cipher, ZoneOffset.UTC));

        assertThat(sent.portal()).isEqualTo("p");
        assertThat(sent.statement()).isEqualTo("s");
        assertThat(sent.parameterFormats()).containsExactly(1, 1, 0, 1);
        assertThat(sent.resultFormats()).containsExactly(1);
        byte[] envelope = sent.value(0);
        assertThat(EnvelopeHeader.parse(envelope).ringId()).isEqualTo(7);
        assertThat(ValueConversion.codec(age.column().type())
                .toText(cipher.decrypt(ParameterEncryption.identity(age), "k", envelope))).isEqualTo("42");
        List<byte[]> each = elements(sent.value(1));
        assertThat(each).hasSize(2).allSatisfy(e -> assertThat(new String(cipher.decrypt(
                ParameterEncryption.identity(ssn), "k", e), StandardCharsets.UTF_8)).isEqualTo("123-45-6789"));
        assertThat(each).extracting(e -> EnvelopeHeader.parse(e).keyVersion()).containsExactly(2, 1);
        assertThat(sent.value(2)).isEqualTo(utf8("plain"));
        assertThat(sent.value(3)).as("NULL stays NULL").isNull();
    }

    @Test
    void aMatchNoRowCanSatisfyIsTheEmptyArrayAndBadValuesFailWithTheirSqlstate() {
        ColumnRef code = TestKeys.column("code", "varchar(3)");
        byte[] empty = ParameterEncryption.encryptValue(code, ValueUse.MATCH, "parameter $1", 0, 0, utf8("abcd"),
                cipher, ZoneOffset.UTC);
        assertThat(empty).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17);
        Bind bind = new Bind("", "", new short[0], new byte[][] {utf8("x")}, new short[0]);
        assertThatThrownBy(() -> ParameterEncryption.encrypt(bind, new int[0],
                List.of(new ParameterPlan(1, age, ValueUse.STORE)), cipher, ZoneOffset.UTC))
                .isInstanceOfSatisfying(ProtectedValueException.class, e -> assertThat(e.sqlState()).isEqualTo("22P02"));
    }

    /** The binary bytea[] format, read as PostgreSQL's array_recv would. */
    static List<byte[]> elements(byte[] array) {
        ByteBuffer b = ByteBuffer.wrap(array);
        assertThat(b.getInt()).as("ndim").isEqualTo(1);
        assertThat(b.getInt()).as("has nulls").isZero();
        assertThat(b.getInt()).as("element type").isEqualTo(17);
        int n = b.getInt();
        assertThat(b.getInt()).as("lower bound").isEqualTo(1);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] e = new byte[b.getInt()];
            b.get(e);
            out.add(e);
        }
        assertThat(b.hasRemaining()).isFalse();
        return out;
    }

    private static Bind roundTrip(Bind bind) {
        ByteBuf frame = bind.encode(ByteBufAllocator.DEFAULT);
        try {
            frame.skipBytes(5);
            return Bind.decode(frame);
        } finally {
            frame.release();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
