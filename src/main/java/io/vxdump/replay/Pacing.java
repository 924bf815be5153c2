package io.vxdump.replay;

/**
 * When each packet is due, in nanoseconds after the start: the capture's own timing (divided by
 * a speed factor), a fixed packet rate, a fixed bit rate, or as fast as possible.
 */
sealed interface Pacing {
    /**
     * @param index        packets sent before this one
     * @param bitsBefore   bits of the UDP payloads sent before this one
     * @param captureNanos this packet's time in the capture, relative to the replay's time origin
     */
    long due(long index, long bitsBefore, long captureNanos);

    record CaptureTiming(double speed) implements Pacing {
        public long due(long index, long bitsBefore, long captureNanos) {
            return (long) (captureNanos / speed);
        }
    }

    record PacketRate(double pps) implements Pacing {
        public long due(long index, long bitsBefore, long captureNanos) {
            return (long) (index * 1e9 / pps);
        }
    }

    record BitRate(double mbps) implements Pacing {
        public long due(long index, long bitsBefore, long captureNanos) {
            return (long) (bitsBefore * 1e3 / mbps);
        }
    }

    record TopSpeed() implements Pacing {
        public long due(long index, long bitsBefore, long captureNanos) {
            return 0;
        }
    }
}
