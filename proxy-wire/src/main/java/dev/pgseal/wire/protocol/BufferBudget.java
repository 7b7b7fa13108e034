package dev.pgseal.wire.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that decoders of all sessions together may hold in partial messages
 * ({@code limits.max_buffered_bytes}). Each {@link FrameDecoder} reserves what it holds beyond
 * whole frames and returns it when the message completes or the channel closes, so many slow
 * senders cannot together exhaust the heap while each stays under its own message limit.
 * Thread-safe.
 */
public final class BufferBudget {
    /** No shared limit (unit tests, tools). */
    public static final BufferBudget UNLIMITED = new BufferBudget(Long.MAX_VALUE);

    private final long max;
    private final AtomicLong used = new AtomicLong();

    public BufferBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
    }

    /** Takes {@code bytes} from the budget; false, taking nothing, when that would exceed it. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > max) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    /** Returns {@code bytes} reserved before. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** The limit. */
    public long max() {
        return max;
    }

    /** Bytes reserved now, over all decoders. */
    public long used() {
        return used.get();
    }
}
