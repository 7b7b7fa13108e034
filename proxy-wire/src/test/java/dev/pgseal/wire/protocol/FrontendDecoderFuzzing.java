package dev.pgseal.wire.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link FrontendDecoderFuzzTarget} with Jazzer. Not part of the default
 * test run (Jazzer's agent instruments every class loaded after it, which slows the whole test JVM);
 * run it on purpose:
 * {@code JAZZER_FUZZ=1 mvn -o -pl proxy-wire test -Dtest=FrontendDecoderFuzzing -Dsurefire.failIfNoSpecifiedTests=false}.
 * Without {@code JAZZER_FUZZ} it replays the inputs found so far (regression mode).
 */
class FrontendDecoderFuzzing {
    @FuzzTest(maxDuration = "5m")
    void frontendDecoder(byte[] data) {
        FrontendDecoderFuzzTarget.fuzz(data);
    }
}
