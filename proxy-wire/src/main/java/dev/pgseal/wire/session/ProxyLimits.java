package dev.pgseal.wire.session;

import io.netty.channel.WriteBufferWaterMark;

/** Fixed tuning values of the relay. */
public final class ProxyLimits {
    /**
     * Outbound buffer per channel: above the high mark the channel is unwritable and pgseal stops
     * reading from the other side; below the low mark reading resumes.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    /** Largest message accepted from PostgreSQL (a DataRow may approach 1 GB per value). */
    public static final int MAX_BACKEND_MESSAGE_BYTES = Integer.MAX_VALUE - 1;

    private ProxyLimits() {
    }
}
