package io.vxdump.pcap;

import io.vxdump.metrics.LongCounter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes the output device's write cache every {@code writer.sync-interval} while the writers
 * write, on a thread of its own ({@code vxdump-sync}), so that what direct I/O wrote is on stable
 * storage within the interval.
 *
 * <p>Why it exists: a flush stalls every write to the device until the device has emptied its
 * cache, and that takes time in proportion to what the cache holds. Left to themselves, flushes
 * come from the file system's journal commit (every 5 s on ext4) or from the finisher's fsync at
 * each rotation, and on the build machine's virtual disk a flush after one second of 420 MB/s
 * stalled the writer for ~220 ms: longer than the staging ring holds, so packets were dropped as
 * {@code writer_backlog}. Flushing every 100 ms keeps each stall to ~30 ms (bench/README.md,
 * issue 17). An fsync of the output directory does it portably: ext4 and XFS both flush the device
 * cache on fsync even when the directory itself is clean.
 *
 * <p>Only with direct I/O: buffered writes wait in the page cache, where the kernel's writeback
 * decides, as for any other program.
 */
public final class StorageSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageSync.class);
    private static final long ERROR_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Path directory;
    private final LongSupplier bytesIssued;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vxdump-sync");
        t.setDaemon(true);
        return t;
    });
    private final LongCounter syncs = new LongCounter();
    private final LongCounter syncNanos = new LongCounter();
    private final LongCounter failures = new LongCounter();
    private long lastBytes;
    private long lastErrorLog = System.nanoTime() - ERROR_LOG_NANOS;

    /**
     * @param directory   the output directory (any directory on the output file system)
     * @param bytesIssued bytes the writers have written so far: a sync runs only when it moved
     */
    public StorageSync(Path directory, LongSupplier bytesIssued) {
        this.directory = directory;
        this.bytesIssued = bytesIssued;
    }

    /** Starts syncing every {@code interval}; zero: never (the file system's own commits decide). */
    public StorageSync start(Duration interval) {
        if (!interval.isZero()) {
            long nanos = interval.toNanos();
            thread.scheduleWithFixedDelay(this::syncIfWritten, nanos, nanos, TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** One round: a flush when the writers wrote since the last one. Sync thread (and tests). */
    void syncIfWritten() {
        long bytes = bytesIssued.getAsLong();
        if (bytes == lastBytes) {
            return; // nothing new in the device's cache: an idle daemon does no I/O
        }
        lastBytes = bytes;
        long start = System.nanoTime();
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
            syncs.increment();
        } catch (IOException | RuntimeException e) {
            failures.increment();
            long now = System.nanoTime();
            if (now - lastErrorLog >= ERROR_LOG_NANOS) {
                lastErrorLog = now;
                LOG.warn("syncing the output file system at {} failed: {} ({} failure(s) so far)", directory, e,
                        failures.get());
            }
        } finally {
            syncNanos.add(System.nanoTime() - start);
        }
    }

    /** Flushes done so far. */
    public long syncs() {
        return syncs.get();
    }

    /** Time spent in them, in nanoseconds: how long the device stalled for its cache. */
    public long syncNanos() {
        return syncNanos.get();
    }

    /** Flushes that failed (logged at most once a minute). */
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
