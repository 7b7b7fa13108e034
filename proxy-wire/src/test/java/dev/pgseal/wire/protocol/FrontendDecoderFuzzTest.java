package dev.pgseal.wire.protocol;


import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link FrontendDecoderFuzzTarget}: a seeded generator mutates valid client byte streams
 * (bit flips, corrupted lengths, truncations, random type bytes, inserted and deleted bytes) for a
 * bounded number of iterations. Coverage-guided fuzzing with Jazzer: {@link FrontendDecoderFuzzing}.
 */
class FrontendDecoderFuzzTest {
    private static final int ITERATIONS = 1_500;

    @Test
    void mutatedClientStreamsNeverEscapeTheDecoder() {
        SplittableRandom random = new SplittableRandom(0x5EA1L);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = ClientStreams.mutate(ClientStreams.validStream(random), random);
            try {
                FrontendDecoderFuzzTarget.fuzz(input);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("iteration " + i + " input " + Frames.hex(input), e);
            }
        }
    }
}
