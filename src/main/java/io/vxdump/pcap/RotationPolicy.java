package io.vxdump.pcap;

/**
 * When a file is finished: at {@code maxBytes}, at the next multiple of {@code intervalNanos}
 * since the epoch (a 5-minute interval rotates at :00, :05, ...), or after {@code maxPackets}
 * records, whichever comes first. Zero turns a limit off.
 */
public record RotationPolicy(long maxBytes, long intervalNanos, long maxPackets) {

    /** End of the interval that holds {@code timestampNanos}, or Long.MAX_VALUE without intervals. */
    public long intervalEnd(long timestampNanos) {
        if (intervalNanos <= 0) {
            return Long.MAX_VALUE;
        }
        return Math.floorDiv(timestampNanos, intervalNanos) * intervalNanos + intervalNanos;
    }
}
