package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.keys.ColumnCipher;
import dev.pgseal.policy.Encryption;
import dev.pgseal.policy.OnUnauthorized;
import dev.pgseal.sql.ColumnRef;
import dev.pgseal.sql.CopyColumn;
import dev.pgseal.sql.CopyFormat;
import dev.pgseal.sql.StatementPlan;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * COPY streams through {@link CopyInEncryption} and {@link CopyOutDecryption}: a client's stream cut
 * at every byte gives the same lines as whole; protected fields become envelopes PostgreSQL reads as
 * {@code bytea}; PostgreSQL's output of those envelopes decrypts back to exactly the client's stream.
 */
class CopyStreamTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private final TestKeys keys = TestKeys.standard();
    private final ColumnCipher cipher = keys.cipher();
    private final ColumnRef name = TestKeys.column("name", "text", Encryption.RANDOMIZED, OnUnauthorized.MASK, "***{last2}");
    private final ColumnRef age = TestKeys.column("age", "int4", Encryption.DETERMINISTIC, OnUnauthorized.NULLIFY, null);
    private final ColumnAccess reader = ColumnAccess.of("alice", Set.of("reader"));
    private final ColumnAccess outsider = ColumnAccess.of("bob", Set.of());

    private StatementPlan.Copy plan(StatementPlan.Copy.Direction d, CopyFormat f) {
        return new StatementPlan.Copy(TestKeys.TABLE, d, List.of(new CopyColumn("id", Optional.empty()),
                new CopyColumn("name", Optional.of(name)), new CopyColumn("age", Optional.of(age)),
                new CopyColumn("note", Optional.empty())), f, Set.of("k"));
    }

    private static CopyFormat csv(String nullString, CopyFormat.Header header) {
        return new CopyFormat(true, ',', nullString, header, '"', '"', false, Set.of(), Set.of(), Set.of(),
                Optional.empty());
    }

    /** Client streams in PostgreSQL's own output form (so COPY TO must give them back byte for byte). */
    static Stream<Arguments> streams() {
        return Stream.of(
                Arguments.of("text", CopyFormat.text(),
                        "1\tAnn O'Neil\t42\tplain\n"
                        + "2\ttab\\there\\\\back\\nline ünï 日本\t-7\t\\N\n"
                        + "3\t\\N\t\\N\tx\n"
                        + "4\t\t0\t\n"),
                Arguments.of("csv", csv("", CopyFormat.Header.NONE),
                        "1,\"a,b \"\"q\"\"\",42,plain\n"
                        + "2,\"multi\nline\r\nünï\",-7,\n"
                        + "3,,,x\n"
                        + "4,\"\",0,\"\"\n"),
                Arguments.of("csv header", csv("NULL", CopyFormat.Header.PRESENT),
                        "id,name,age,note\n"
                        + "1,\\.,5,NULL\n"
                        + "2,NULL,6,\"NULL\"\n"),
                Arguments.of("text with end marker", CopyFormat.text(),
                        "1\tx\t1\ty\n\\.\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void aStreamCutAtEveryByteEncryptsLikeWholeAndDecryptsBackExactly(String label, CopyFormat format, String input)
            throws Exception {
        byte[] in = input.getBytes(StandardCharsets.UTF_8);
        List<byte[]> storedWhole = store(format, encryptInChunks(format, in, in.length));
        List<byte[]> storedBytes = store(format, encryptInChunks(format, in, 1));
        assertThat(storedBytes).hasSameSizeAs(storedWhole);
        // PostgreSQL stops at the end marker and never writes one in COPY TO.
        String expected = input.replace("\\.\n", "");
        for (List<byte[]> stored : List.of(storedWhole, storedBytes)) {
            assertThat(decryptAll(format, stored, reader)).isEqualTo(expected);
        }
    }

    /** Feeds {@code in} in chunks of {@code size} bytes and returns everything sent on. */
    private byte[] encryptInChunks(CopyFormat format, byte[] in, int size) {
        CopyInEncryption enc = new CopyInEncryption(plan(StatementPlan.Copy.Direction.FROM_CLIENT, format), cipher,
                StandardCharsets.UTF_8, ZoneOffset.UTC, 1 << 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < in.length; i += size) {
            ByteBuf chunk = Unpooled.wrappedBuffer(in, i, Math.min(size, in.length - i));
            take(out, enc.encrypt(chunk, ALLOC));
        }
        take(out, enc.finish(ALLOC));
        return out.toByteArray();
    }

    private static void take(ByteArrayOutputStream out, ByteBuf frame) {
        if (frame == null) {
            return;
        }
        try {
            assertThat(frame.getByte(0)).isEqualTo((byte) 'd');
            assertThat(frame.getInt(1)).isEqualTo(frame.readableBytes() - 1);
            byte[] b = new byte[frame.readableBytes() - 5];
            frame.getBytes(5, b);
            out.writeBytes(b);
        } finally {
            frame.release();
        }
    }

    /**
     * What PostgreSQL does with the encrypted stream: reads each line as it would (protected fields
     * must be bytea hex text of a valid envelope) and writes it back out as COPY TO would.
     */
    private List<byte[]> store(CopyFormat format, byte[] sent) {
        CopyTextCodec codec = new CopyTextCodec(format);
        CopyRowSplitter splitter = new CopyRowSplitter(format, 1 << 20);
        List<byte[]> rows = new ArrayList<>();
        CopyTextCodec.Fields f = new CopyTextCodec.Fields();
        boolean[] header = {format.header() != CopyFormat.Header.NONE};
        CopyRowSplitter.LineSink sink = (line, contentEnd, lineEnd, marker) -> {
            if (header[0] || marker && contentEnd == 0) {
                if (header[0]) {
                    rows.add(java.util.Arrays.copyOf(line, lineEnd));
                }
                header[0] = false;
                return;
            }
            codec.split(line, 0, contentEnd, f);
            assertThat(f.count()).isEqualTo(4);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    out.write(format.delimiter());
                }
                if (codec.isNull(line, f, i)) {
                    codec.writeNull(out);
                    continue;
                }
                byte[] value = codec.value(line, f, i);
                if (i == 1 || i == 2) {
                    byte[] envelope = ByteaWire.decodeText(value, 0, value.length);
                    assertThat(envelope).as("bytea hex text").isNotNull();
                    assertThat(ColumnCipher.looksLikeEnvelope(envelope)).isTrue();
                    cipher.decrypt(ParameterEncryption.identity(i == 1 ? name : age), "k", envelope);
                }
                codec.writeValue(out, value, false, false);
            }
            out.write('\n');
            rows.add(out.toByteArray());
        };
        splitter.feed(sent, sink);
        splitter.finish(sink);
        return rows;
    }

    private String decryptAll(CopyFormat format, List<byte[]> rows, ColumnAccess access) {
        CopyOutDecryption dec = new CopyOutDecryption(plan(StatementPlan.Copy.Direction.TO_CLIENT, format), access,
                cipher, KeyReadiness.IN_MEMORY, StandardCharsets.UTF_8, ZoneOffset.UTC);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] row : rows) {
            ByteBuf frame = ALLOC.buffer().writeByte('d').writeInt(4 + row.length).writeBytes(row);
            take(out, dec.apply(frame, ALLOC));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anOutsiderSeesMasksAndNullsInCopyOut() {
        String input = "1\tsecret name\t42\tplain\n2\t\\N\t7\t\\N\n";
        List<byte[]> stored = store(CopyFormat.text(), encryptInChunks(CopyFormat.text(),
                input.getBytes(StandardCharsets.UTF_8), 3));
        assertThat(decryptAll(CopyFormat.text(), stored, outsider)).isEqualTo("1\t***me\t\\N\tplain\n2\t\\N\t\\N\t\\N\n");
    }

    @Test
    void forceQuoteQuotesDecryptedValues() {
        CopyFormat quoted = new CopyFormat(true, ',', "", CopyFormat.Header.NONE, '"', '"', false, Set.of("name"),
                Set.of(), Set.of(), Optional.empty());
        List<byte[]> stored = store(quoted, encryptInChunks(quoted, "1,abc,2,x\n".getBytes(StandardCharsets.UTF_8), 2));
        assertThat(decryptAll(quoted, stored, reader)).isEqualTo("1,\"abc\",2,x\n");
    }

    @Test
    void aMultiByteCharacterSplitAcrossChunksIsOneCharacter() {
        String input = "1\t日本語 ünï 😀\t3\tz\n";
        byte[] in = input.getBytes(StandardCharsets.UTF_8);
        for (int size = 1; size <= 5; size++) {
            assertThat(decryptAll(CopyFormat.text(), store(CopyFormat.text(), encryptInChunks(CopyFormat.text(), in,
                    size)), reader)).isEqualTo(input);
        }
    }

    @Test
    void carriageReturnLineEndsAreKept() {
        byte[] in = "1\ta\t2\tb\r\n3\tc\t4\td\r\n".getBytes(StandardCharsets.UTF_8);
        for (int size : new int[] {1, 2, in.length}) {
            String sent = new String(encryptInChunks(CopyFormat.text(), in, size), StandardCharsets.UTF_8);
            assertThat(sent.split("\r\n", -1)).hasSize(3);
            assertThat(sent).doesNotContain("\ta\t").startsWith("1\t\\\\x");
        }
    }

    static Stream<Arguments> badStreams() {
        return Stream.of(
                Arguments.of("1\tx\tabc\ty\n", "22P02"),
                Arguments.of("1\tx\t99999999999\ty\n", "22003"),
                Arguments.of("1\tx\t2\n", "22P04"),
                Arguments.of("1\tx\t2\ty\tz\n", "22P04"),
                Arguments.of("1\tx\t2\ty\n2\tx\t2\ty\r\n", "22P04"),
                Arguments.of("1\tx\t2\ty\n\\.x\n", "22P04"),
                Arguments.of("1\t\\xff\t2\ty\n", "22021"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("badStreams")
    void aValueOrLinePostgresqlWouldRefuseFailsWithItsSqlstate(String input, String sqlState) {
        byte[] in = input.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> encryptInChunks(CopyFormat.text(), in, 1))
                .isInstanceOfSatisfying(ProtectedValueException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(sqlState);
                    assertThat(e.getMessage()).doesNotContain("abc").doesNotContain("99999999999");
                });
    }

    @Test
    void anUnterminatedCsvQuoteFails() {
        byte[] in = "1,\"open,2,x\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> encryptInChunks(csv("", CopyFormat.Header.NONE), in, 4))
                .isInstanceOfSatisfying(ProtectedValueException.class, e -> assertThat(e.sqlState()).isEqualTo("22P04"));
    }

    @Test
    void aLineOverTheLimitFailsWithoutBufferingMore() {
        CopyInEncryption enc = new CopyInEncryption(plan(StatementPlan.Copy.Direction.FROM_CLIENT, CopyFormat.text()),
                cipher, StandardCharsets.UTF_8, ZoneOffset.UTC, 1024);
        ByteBuf chunk = Unpooled.wrappedBuffer(new byte[700]);
        assertThat(enc.encrypt(chunk, ALLOC)).isNull();
        assertThatThrownBy(() -> enc.encrypt(Unpooled.wrappedBuffer(new byte[700]), ALLOC))
                .isInstanceOfSatisfying(ProtectedValueException.class, e -> assertThat(e.sqlState()).isEqualTo("54000"));
    }

    @Test
    void forceNotNullAndForceNullFollowPostgresql() {
        CopyFormat f = new CopyFormat(true, ',', "", CopyFormat.Header.NONE, '"', '"', false, Set.of(), Set.of("name"),
                Set.of("age", "name"), Optional.empty());
        // name: unquoted empty is the empty string (FORCE_NOT_NULL), quoted empty is NULL (FORCE_NULL);
        // age: quoted empty is NULL (FORCE_NULL).
        String sent = new String(encryptInChunks(f, "1,,\"\",x\n2,\"\",5,y\n".getBytes(StandardCharsets.UTF_8), 1),
                StandardCharsets.UTF_8);
        String[] lines = sent.split("\n");
        assertThat(lines[0]).matches("1,\\\\x[0-9a-f]+,,x");
        assertThat(lines[1]).matches("2,\"\",\\\\x[0-9a-f]+,y");
    }
}
