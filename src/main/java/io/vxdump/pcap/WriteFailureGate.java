package io.vxdump.pcap;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks an episode of failing writes (disk full, read-only file system, I/O errors): logs once
 * when it begins and once when it ends, and lets the writer try again about once a second in
 * between, dropping (and counting) what arrives meanwhile. Writer thread only, but
 * {@link #failing()} may be read anywhere.
 */
final class WriteFailureGate {
    private static final Logger LOG = LoggerFactory.getLogger(WriteFailureGate.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private volatile boolean failing;
    private long nextAttempt;
    private long droppedInEpisode;

    /** True when a write may be tried now. */
    boolean allowed(long nowNanos) {
        return !failing || nowNanos - nextAttempt >= 0;
    }

    void dropped(long packets) {
        droppedInEpisode += packets;
    }

    void failed(String what, Exception e, long nowNanos) {
        if (!failing) {
            LOG.error("{} failed: {}; dropping packets (counted as write_error) and retrying every second",
                    what, e.toString());
            failing = true;
            droppedInEpisode = 0;
        }
        nextAttempt = nowNanos + RETRY_NANOS;
    }

    void succeeded() {
        if (failing) {
            failing = false;
            LOG.warn("writing works again; {} packets were dropped as write_error meanwhile", droppedInEpisode);
        }
    }

    boolean failing() {
        return failing;
    }
}
