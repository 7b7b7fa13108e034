package dev.pgseal.wire.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test parser itself: it reads the format and refuses what the format does not allow. */
class PrometheusTextTest {

    @Test
    void readsFamiliesSamplesLabelsAndEscapes() {
        Map<String, PrometheusText.Family> f = PrometheusText.parse("""
                # HELP up Whether it is up.
                # TYPE up gauge
                up{job="a\\"b",path="c\\\\d\\ne"} 1
                up{job="x"} NaN
                # TYPE req_seconds summary
                req_seconds_count{route="/"} 3 1700000000000
                req_seconds_sum{route="/"} +Inf
                """);
        assertThat(f.get("up").help()).isEqualTo("Whether it is up.");
        assertThat(f.get("up").samples().get(0).labels()).containsEntry("job", "a\"b").containsEntry("path", "c\\d\ne");
        assertThat(f.get("req_seconds").samples()).hasSize(2);
    }

    @ParameterizedTest(name = "refuses: {0}")
    @ValueSource(strings = {
        "up 1",                                              // no final line feed
        "1up 1\n",                                           // bad name
        "up{1a=\"x\"} 1\n",                                  // bad label name
        "up{a=x} 1\n",                                       // unquoted value
        "up{a=\"\\t\"} 1\n",                                 // bad escape
        "up{a=\"x\"\n",                                      // unterminated
        "up one\n",                                          // bad value
        "# TYPE up gauge\n# TYPE up gauge\nup 1\n",          // TYPE twice
        "# TYPE up gauges\nup 1\n",                          // unknown type
        "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n", // not contiguous
        "up 1\nup 2\n",                                      // repeated sample
        "up 1 soon\n"                                        // bad timestamp
    })
    void refusesWhatTheFormatForbids(String text) {
        assertThatThrownBy(() -> PrometheusText.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
