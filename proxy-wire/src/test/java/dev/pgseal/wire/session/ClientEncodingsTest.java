package dev.pgseal.wire.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientEncodingsTest {
    @ParameterizedTest
    @CsvSource({
            "UTF8, UTF8, UTF-8", "utf-8, UTF8, UTF-8", "Unicode, UTF8, UTF-8", "SQL_ASCII, SQL_ASCII, ISO-8859-1",
            "latin1, LATIN1, ISO-8859-1", "ISO_8859_1, LATIN1, ISO-8859-1", "iso-8859-15, LATIN9, ISO-8859-15",
            "LATIN5, LATIN5, ISO-8859-9", "ISO_8859_5, ISO_8859_5, ISO-8859-5", "win1252, WIN1252, windows-1252",
            "Windows-1251, WIN1251, windows-1251", "WIN, WIN1251, windows-1251", "win866, WIN866, IBM866",
            "KOI8, KOI8R, KOI8-R", "koi8-u, KOI8U, KOI8-U", "EUC_JP, EUC_JP, EUC-JP", "euc-cn, EUC_CN, GB2312",
            "EUC_KR, EUC_KR, EUC-KR", "EUC_TW, EUC_TW, x-EUC-TW", "WIN874, WIN874, x-windows-874"})
    void namesAreMatchedAsPostgresMatchesThemAndDecodeWithTheRightCharset(String name, String canonical, String java) {
        assertThat(ClientEncodings.isSupported(name)).isTrue();
        assertThat(ClientEncodings.canonicalName(name)).contains(canonical);
        assertThat(ClientEncodings.charset(name)).isEqualTo(Charset.forName(java));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SJIS", "Shift_JIS", "mskanji", "win932", "SHIFT_JIS_2004", "BIG5", "win950", "GBK",
            "win936", "UHC", "win949", "GB18030", "JOHAB", "MULE_INTERNAL", "EUC_JIS_2004", "auto", "", "klingon"})
    void encodingsWhoseTrailBytesCanLookLikeAsciiOrThatAreUnknownAreNotSupported(String name) {
        assertThat(ClientEncodings.isSupported(name)).isFalse();
        assertThatThrownBy(() -> ClientEncodings.charset(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySupportedEncodingKeepsAsciiBytesForAsciiCharacters() {
        byte[] ascii = "select 'x' \\ \"y\" $$".getBytes(StandardCharsets.US_ASCII);
        for (String name : ClientEncodings.supported()) {
            assertThat(new String(ascii, ClientEncodings.charset(name))).as(name).isEqualTo("select 'x' \\ \"y\" $$");
        }
    }
}
