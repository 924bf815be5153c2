package io.vxdump.pcap;

import java.time.Instant;

/**
 * Wall-clock nanoseconds since the epoch without an {@code Instant} per call: the monotonic
 * {@code System.nanoTime()} against a base read once and re-read by {@link #calibrate()} (each
 * receive thread does so from its timer, so drift against NTP stays below a second's worth).
 * One instance per thread; not thread-safe.
 */
public final class WallClock {
    private long wallBase;
    private long monoBase;

    public WallClock() {
        calibrate();
    }

    /** Re-reads the wall clock; call off the packet path. */
    public void calibrate() {
        Instant now = Instant.now();
        monoBase = System.nanoTime();
        wallBase = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Nanoseconds since the epoch, now. */
    public long nowNanos() {
        return wallBase + (System.nanoTime() - monoBase);
    }
}
