package dev.pgseal.wire.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The session's TimeZone as PostgreSQL reports it, in Java. */
class SessionZoneTest {

    @ParameterizedTest
    @CsvSource({"Europe/Berlin, Europe/Berlin", "Etc/UTC, Etc/UTC", "UTC, Z", "GMT, Z", "<+03>-03, +03:00",
            "<-05:30>+05:30, -05:30", "Etc/GMT-3, Etc/GMT-3"})
    void readsTheNamesAndPosixOffsetsPostgresqlReports(String reported, String expected) {
        ZoneId zone = SessionZone.parse(reported).orElseThrow();
        assertThat(zone.normalized()).isEqualTo(ZoneId.of(expected).normalized());
    }

    @ParameterizedTest
    @CsvSource({"Mars/Olympus", "''", "localtime"})
    void refusesWhatItCannotNameExactly(String reported) {
        assertThat(SessionZone.parse(reported)).isEmpty();
        assertThat(ZoneOffset.UTC).isNotNull();
    }
}
