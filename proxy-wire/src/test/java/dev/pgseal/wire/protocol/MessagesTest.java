package dev.pgseal.wire.protocol;

import static dev.pgseal.wire.protocol.Frames.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgseal.wire.protocol.backend.AuthenticationSasl;
import dev.pgseal.wire.protocol.backend.BackendKeyData;
import dev.pgseal.wire.protocol.backend.CommandComplete;
import dev.pgseal.wire.protocol.backend.DataRow;
import dev.pgseal.wire.protocol.backend.ErrorResponse;
import dev.pgseal.wire.protocol.backend.NotificationResponse;
import dev.pgseal.wire.protocol.backend.ParameterDescription;
import dev.pgseal.wire.protocol.backend.ParameterStatus;
import dev.pgseal.wire.protocol.backend.ReadyForQuery;
import dev.pgseal.wire.protocol.backend.RowDescription;
import dev.pgseal.wire.protocol.frontend.Bind;
import dev.pgseal.wire.protocol.frontend.Close;
import dev.pgseal.wire.protocol.frontend.Describe;
import dev.pgseal.wire.protocol.frontend.Execute;
import dev.pgseal.wire.protocol.frontend.FrontendMessages;
import dev.pgseal.wire.protocol.frontend.Parse;
import dev.pgseal.wire.protocol.frontend.Query;
import dev.pgseal.wire.protocol.frontend.Sync;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessagesTest {

    private static <T> T decodeBody(byte[] frame, Function<ByteBuf, T> decoder) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            return decoder.apply(Wire.body(buf));
        } finally {
            buf.release();
        }
    }

    private static Object decodeFrontend(byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            return FrontendMessages.decode(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void decodesTheExtendedProtocolMessages() {
        Parse parse = (Parse) decodeFrontend(body().cstring("S_1").cstring("select $1, $2").int16(2).int32(23).int32(0).frame('P'));
        assertThat(parse.name()).isEqualTo("S_1");
        assertThat(parse.sql()).isEqualTo("select $1, $2");
        assertThat(parse.parameterTypes()).containsExactly(23, 0);

        Bind bind = (Bind) decodeFrontend(body().cstring("C_1").cstring("S_1").int16(1).int16(1).int16(2)
                .int32(4).int32(7).int32(-1).int16(1).int16(1).frame('B'));
        assertThat(bind.portal()).isEqualTo("C_1");
        assertThat(bind.statement()).isEqualTo("S_1");
        assertThat(bind.parameterCount()).isEqualTo(2);
        assertThat(bind.value(0)).containsExactly(0, 0, 0, 7);
        assertThat(bind.value(1)).isNull();
        assertThat(bind.parameterFormat(1)).isEqualTo(1);
        assertThat(bind.resultFormats()).containsExactly((short) 1);

        assertThat(decodeFrontend(body().byte8('P').cstring("C_1").frame('D'))).isEqualTo(new Describe('P', "C_1"));
        assertThat(decodeFrontend(body().cstring("C_1").int32(50).frame('E'))).isEqualTo(new Execute("C_1", 50));
        assertThat(decodeFrontend(body().byte8('S').cstring("S_1").frame('C'))).isEqualTo(new Close('S', "S_1"));
        assertThat(decodeFrontend(body().frame('S'))).isSameAs(Sync.INSTANCE);
        assertThat(decodeFrontend(body().cstring("select 'é'").frame('Q'))).isEqualTo(new Query("select 'é'"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "5100000007616263 | string without terminator",
        "5300000005aa | Sync has 1 trailing bytes",
        "44000000065800 | invalid DESCRIBE message subtype 88",
        "420000000a000000010001 | truncated message: needs 2 more bytes, has 0",
        "7a00000004 | invalid frontend message type 'z'"})
    void malformedFrontendMessagesFailWithAMessageNamingTheProblem(String hex, String message) {
        byte[] frame = ByteBufUtil.decodeHexDump(hex);
        assertThatThrownBy(() -> decodeFrontend(frame)).isInstanceOf(MalformedMessageException.class).hasMessage(message);
    }

    @Test
    void decodesBackendMessages() {
        RowDescription rd = decodeBody(body().int16(1).cstring("id").int32(16384).int16(1).int32(23).int16(4).int32(-1).int16(0)
                .frame('T'), RowDescription::decode);
        assertThat(rd.fields()).containsExactly(new RowDescription.Field("id", 16384, (short) 1, 23, (short) 4, -1, (short) 0));

        DataRow row = decodeBody(body().int16(2).int32(1).byte8('7').int32(-1).frame('D'), DataRow::decode);
        assertThat(row.columnCount()).isEqualTo(2);
        assertThat(row.value(0)).containsExactly('7');
        assertThat(row.value(1)).isNull();

        assertThat(decodeBody(body().int16(2).int32(23).int32(25).frame('t'), ParameterDescription::decode).typeOids())
                .containsExactly(23, 25);
        assertThat(decodeBody(body().byte8('T').frame('Z'), ReadyForQuery::decode).transactionStatus()).isEqualTo('T');
        assertThat(decodeBody(body().cstring("TimeZone").cstring("UTC").frame('S'), ParameterStatus::decode))
                .isEqualTo(new ParameterStatus("TimeZone", "UTC"));
        assertThat(decodeBody(body().int32(9).cstring("ch").cstring("hi").frame('A'), NotificationResponse::decode))
                .isEqualTo(new NotificationResponse(9, "ch", "hi"));

        ErrorResponse error = decodeBody(body().byte8('S').cstring("FEHLER").byte8('V').cstring("FATAL")
                .byte8('C').cstring("57P01").byte8('M').cstring("bye").byte8(0).frame('E'), ErrorResponse::decode);
        assertThat(error.sqlState()).isEqualTo("57P01");
        assertThat(error.isFatal()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"'COPY 4294967294', 4294967294", "'INSERT 0 5', 5", "'SELECT 0', 0", "'BEGIN', -1", "'CREATE TABLE', -1"})
    void commandCompleteRowCountsAreLongs(String tag, long rows) {
        assertThat(new CommandComplete(tag).rows()).isEqualTo(rows);
    }

    @Test
    void theSaslOfferLosesOnlyTheChannelBindingMechanism() {
        byte[] offer = body().int32(10).cstring("SCRAM-SHA-256-PLUS").cstring("SCRAM-SHA-256").byte8(0).frame('R');
        AuthenticationSasl sasl = decodeBody(offer, AuthenticationSasl::decode);
        assertThat(sasl.mechanisms()).containsExactly("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");
        ByteBuf encoded = sasl.withoutChannelBinding().encode(ByteBufAllocator.DEFAULT);
        try {
            assertThat(ByteBufUtil.getBytes(encoded))
                    .isEqualTo(body().int32(10).cstring("SCRAM-SHA-256").byte8(0).frame('R'));
        } finally {
            encoded.release();
        }
        AuthenticationSasl plain = new AuthenticationSasl(List.of("SCRAM-SHA-256"));
        assertThat(plain.withoutChannelBinding()).isEqualTo(plain);
    }

    @Test
    void backendKeyDataRoundTrips() {
        BackendKeyData key = new BackendKeyData(1234, new byte[] {1, 2, 3, 4});
        ByteBuf encoded = key.encode(ByteBufAllocator.DEFAULT);
        try {
            BackendKeyData back = BackendKeyData.decode(Wire.body(encoded));
            assertThat(back.processId()).isEqualTo(1234);
            assertThat(back.secret()).containsExactly(1, 2, 3, 4);
            assertThat(encoded.getInt(1)).isEqualTo(12);
        } finally {
            encoded.release();
        }
    }

    @Test
    void pgsealsOwnErrorsCarrySeveritySqlStateAndMessage() {
        ByteBuf error = ErrorResponses.fatal(ByteBufAllocator.DEFAULT, "53300", "sorry, too many clients already");
        try {
            assertThat(error.getInt(1)).isEqualTo(error.readableBytes() - 1);
            ErrorResponse decoded = ErrorResponse.decode(Wire.body(error));
            assertThat(decoded.sqlState()).isEqualTo("53300");
            assertThat(decoded.fields().message()).isEqualTo("sorry, too many clients already");
            assertThat(decoded.isFatal()).isTrue();
        } finally {
            error.release();
        }
        assertThat("é".getBytes(StandardCharsets.UTF_8)).hasSize(2);
    }
}
