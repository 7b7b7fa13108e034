package dev.pgseal.wire;

import java.time.Duration;

/**
 * Polls a condition until it holds or a deadline passes. Every wait in a test goes through here so
 * that a broken server fails the test with the name of what never happened, instead of hanging the
 * build until Surefire's own timeout.
 */
public final class Await {

    /** A condition that may query a server (and so may throw). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A step repeated between polls (for example a cancel that may arrive too early). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after {@code limit}. */
    public static void until(String what, Duration limit, Condition condition) throws Exception {
        repeatUntil(what, limit, () -> { }, condition);
    }

    /**
     * Runs {@code step}, then checks {@code condition}, every 20 ms until the condition holds; fails
     * naming {@code what} after {@code limit}.
     */
    public static void repeatUntil(String what, Duration limit, Step step, Condition condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            step.run();
            if (condition.holds()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
