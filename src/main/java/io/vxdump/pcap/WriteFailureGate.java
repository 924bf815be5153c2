package io.vxdump.pcap;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks an episode of failing writes (disk full, read-only file system, I/O errors): logs once
 * when it begins and once when it ends, and lets the writer try again about once a second in
 * between, dropping (and counting) what arrives meanwhile. A retry waits, too, until the output
 * file system has room for a whole write block, so a disk that is still full is not written to
 * record by record.
 *
 * <p>An episode also ends without traffic: {@link #probe} (from the writer's tick) creates, writes,
 * syncs and deletes a small file once a second while failing. Behind an NLB this matters: an
 * unhealthy target gets no traffic, so waiting for a real write to succeed would keep it out of
 * service for good. Writer thread only, but {@link #failing()} and {@link #lastError()} may be
 * read anywhere.
 */
final class WriteFailureGate {
    private static final Logger LOG = LoggerFactory.getLogger(WriteFailureGate.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The probe's file in the output directory; crash recovery and retention ignore it. */
    static final String PROBE_FILE = ".vxdump-probe";
    private static final int PROBE_BYTES = 4096;

    private final java.nio.file.Path output;
    private final long roomNeeded;
    private volatile boolean failing;
    private volatile String lastError = "";
    private long nextAttempt;
    private long droppedInEpisode;
    /** A scratch writer's (the warm-up's) failures are nobody's problem: logged at debug only. */
    volatile boolean quiet;

    /** @param roomNeeded bytes the output must have free before a retry: one write block */
    WriteFailureGate(java.nio.file.Path output, long roomNeeded) {
        this.output = output;
        this.roomNeeded = roomNeeded;
    }

    /** True when a write may be tried now. */
    boolean allowed(long nowNanos) {
        if (!failing) {
            return true;
        }
        if (nowNanos - nextAttempt < 0) {
            return false;
        }
        if (usableSpace() < roomNeeded) {
            nextAttempt = nowNanos + RETRY_NANOS;
            return false;
        }
        return true;
    }

    /**
     * While failing, once a second: is the output writable again (room for a write block, and a
     * probe file can be created, written, synced and deleted)? Ends the episode if so, so health
     * recovers whether or not packets arrive.
     */
    void probe(long nowNanos) {
        if (!failing || !allowed(nowNanos)) {
            return;
        }
        java.nio.file.Path probe = output.resolve(PROBE_FILE);
        try {
            FileModes.createDirectories(output); // an output directory deleted under us comes back
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(probe,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                c.write(java.nio.ByteBuffer.allocate(PROBE_BYTES));
                c.force(false);
            } finally {
                java.nio.file.Files.deleteIfExists(probe);
            }
            succeeded();
        } catch (java.io.IOException e) {
            failed("probing " + output, e, nowNanos);
        }
    }

    private long usableSpace() {
        try {
            return java.nio.file.Files.getFileStore(output).getUsableSpace();
        } catch (java.io.IOException e) {
            return Long.MAX_VALUE; // cannot tell: let the write itself find out
        }
    }

    void dropped(long packets) {
        droppedInEpisode += packets;
    }

    void failed(String what, Exception e, long nowNanos) {
        lastError = what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        if (!failing) {
            if (quiet) {
                LOG.debug("{} failed: {} (scratch writer)", what, e.toString());
            } else {
                LOG.error("{} failed: {}; dropping packets (counted as write_error) and retrying every second",
                        what, e.toString());
            }
            failing = true;
            droppedInEpisode = 0;
        }
        nextAttempt = nowNanos + RETRY_NANOS;
    }

    void succeeded() {
        if (failing) {
            // Logged before health can see it: whoever sees the target healthy again finds the line.
            if (!quiet) {
                LOG.warn("writing works again; {} packets were dropped as write_error meanwhile", droppedInEpisode);
            }
            failing = false;
        }
    }

    boolean failing() {
        return failing;
    }

    String lastError() {
        return lastError;
    }
}
