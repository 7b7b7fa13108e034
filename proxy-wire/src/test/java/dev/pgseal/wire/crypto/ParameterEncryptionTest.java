package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.keys.EnvelopeHeader;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.ParameterPlan;
import dev.pgseal.sql.StatementPlan;
import dev.pgseal.sql.ValueUse;
import dev.pgseal.wire.protocol.frontend.Bind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

    /** A statement "... ssn = ANY($2) ... age = $1 ... LIMIT $3" as the planner describes it. */
    private StatementPlan.Rewrite slottedPlan() {
        return new StatementPlan.Rewrite(List.of(), List.of(new ParameterPlan(1, age, ValueUse.STORE),
                new ParameterPlan(2, ssn, ValueUse.MATCH)), List.of(), Set.of("k"), Set.of(), 3);
    }

    @Test
    void slotsAreNumberedAfterEveryParameterAndDeclaredByteaOneEach() {
        MatchSlots slots = MatchSlots.of(slottedPlan(), 0, ring -> 1);
        assertThat(slots.visibleCount()).isEqualTo(3);
        assertThat(slots.totalCount()).isEqualTo(4); // at least two slots: room for one rotation
        assertThat(slots.render(2)).isEqualTo("ARRAY[$2::bytea, $4::bytea]");
        assertThat(slots.render(1)).isEqualTo("$1");
        assertThat(slots.parseTypes(new int[0], slottedPlan().parameters())).containsExactly(17, 17, 0, 17);
        // The client declared more types than its text uses: the slots come after those too.
        MatchSlots wider = MatchSlots.of(slottedPlan(), 5, ring -> 3);
        assertThat(wider.render(2)).isEqualTo("ARRAY[$2::bytea, $6::bytea, $7::bytea]");
        assertThat(MatchSlots.of(new StatementPlan.Rewrite(List.of(), List.of(new ParameterPlan(1, age,
                ValueUse.STORE)), List.of(), Set.of("k")), 0, ring -> 1).isEmpty()).isTrue();
    }

    @Test
    void bindFillsEverySlotRepeatingTheLastEnvelopeAndRefusesMoreEnvelopesThanSlots() {
        // Ring "k" has two live versions: two envelopes for two slots, then a third slot repeats the last.
        byte[][] values = {ByteBuffer.allocate(4).putInt(42).array(), utf8("123-45-6789"), utf8("10")};
        Bind bind = new Bind("", "s", new short[] {1, 0, 0}, values, new short[0]);
        MatchSlots three = MatchSlots.of(slottedPlan(), 0, ring -> 3);
        Bind sent = roundTrip(ParameterEncryption.encrypt(bind, new int[] {23}, slottedPlan().parameters(), cipher,
                ZoneOffset.UTC, three));
        assertThat(sent.parameterCount()).isEqualTo(5);
        assertThat(sent.value(2)).isEqualTo(utf8("10"));
        List<byte[]> expected = cipher.encryptForEachVersion(ParameterEncryption.identity(ssn), "k",
                ValueConversion.codec(ssn).fromText("123-45-6789"));
        assertThat(List.of(sent.value(1), sent.value(3), sent.value(4)))
                .containsExactly(expected.get(0), expected.get(1), expected.get(1));
        for (int i : new int[] {0, 1, 3, 4}) {
            assertThat(sent.parameterFormat(i)).isEqualTo(1);
        }
        // NULL stays NULL in every slot; a value no row holds is the empty bytea, which no envelope equals.
        Bind nulls = roundTrip(ParameterEncryption.encrypt(new Bind("", "s", new short[0], new byte[][] {null, null,
                utf8("1")}, new short[0]), new int[0], slottedPlan().parameters(), cipher, ZoneOffset.UTC, three));
        assertThat(nulls.value(1)).isNull();
        assertThat(nulls.value(4)).isNull();

        MatchSlots one = MatchSlots.of(slottedPlan(), 0, ring -> 1); // two slots
        assertThat(ParameterEncryption.encrypt(bind, new int[] {23}, slottedPlan().parameters(), cipher,
                ZoneOffset.UTC, one)).as("two envelopes fit two slots").isNotNull();
        TestKeys threeVersions = new TestKeys().ring("k", 7, 3);
        assertThat(ParameterEncryption.encrypt(bind, new int[] {23}, slottedPlan().parameters(),
                threeVersions.cipher(), ZoneOffset.UTC, one)).as("three envelopes do not fit two slots").isNull();
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
