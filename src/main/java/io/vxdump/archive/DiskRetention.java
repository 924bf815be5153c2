package io.vxdump.archive;

import io.vxdump.metrics.LongCounter;
import io.vxdump.pcap.FinishedFileSink;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the output within {@link StorageLimits} across all sessions: while the file system has
 * less free space than the floor, or this instance's finished files take more than the total
 * allowed, the oldest finished file of any session is deleted (never the newest of a session).
 * Checked on its own thread once a second, at once when a writer opens a file, after every
 * finished file and when a reload changes the limits, so a filling disk is cut back before writes
 * fail. Deletions are counted by the limit that caused them.
 */
public final class DiskRetention implements FinishedFileSink {
    private static final Logger LOG = LoggerFactory.getLogger(DiskRetention.class);
    /** statvfs is cheap, and a small disk fills in well under a second. */
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Path output;
    private final UnaryOperator<String> prefixOf;
    private volatile StorageLimits limits;
    /** Bytes the writers may write before the next check: the floor is never below it. */
    private volatile java.util.function.LongSupplier reserve = () -> 0;
    private final ArchiveIndex index;
    /** Null without uploads. */
    private final UploadLedger ledger;
    private final LongCounter deletedBeforeUpload = new LongCounter();
    private final LongCounter deletedForFloor = new LongCounter();
    private final LongCounter deletedForTotal = new LongCounter();
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Thread thread;
    private volatile FileStore store;
    private volatile boolean stopping;
    private boolean stuck;
    /** Deletions not yet in a log line: one summary a minute at most, never a line per file. */
    private long unlogged;
    private long unloggedBytes;
    private long lastSummary = System.nanoTime() - SUMMARY_NANOS;
    private static final long SUMMARY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * @param output   the output directory; each session has a directory in it
     * @param prefixOf a session directory's name → its files' name prefix (this instance's)
     */
    public DiskRetention(Path output, UnaryOperator<String> prefixOf, StorageLimits limits) {
        this(output, prefixOf, limits, null);
    }

    /**
     * @param ledger which files are uploaded, when uploads are on: then the total size limit and
     *               per-session retention delete only uploaded files, and the floor deletes a file not
     *               yet uploaded only when no uploaded one is left (counted as deleted before upload)
     */
    public DiskRetention(Path output, UnaryOperator<String> prefixOf, StorageLimits limits, UploadLedger ledger) {
        this.ledger = ledger;
        this.index = new ArchiveIndex(ledger);
        this.output = output;
        this.prefixOf = prefixOf;
        this.limits = limits;
        this.thread = new Thread(this::run, "vxdump-retention");
        thread.setDaemon(true);
    }

    /** Indexes the finished files already on disk and starts checking. */
    public void start() throws IOException {
        store = Files.getFileStore(output);
        try (DirectoryStream<Path> sessions = Files.newDirectoryStream(output, Files::isDirectory)) {
            for (Path dir : sessions) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(".")) {
                    relist(dir, prefixOf.apply(name));
                }
            }
        }
        enforce(); // before the first file is opened
        thread.start();
    }

    /**
     * What the writers may need before retention looks again (a write block per session writing,
     * and one per writer): with a floor set, at least this much is kept free, so a floor smaller
     * than the writers' blocks cannot leave them without room while retention deletes nothing.
     */
    public void reserve(java.util.function.LongSupplier reserve) {
        this.reserve = reserve;
    }

    /** A reload's limits, applied at once. */
    public void limits(StorageLimits limits) {
        this.limits = limits;
        request();
    }

    @Override
    public void finished(Path sessionDirectory, String prefix) {
        relist(sessionDirectory, prefix);
        request();
    }

    /**
     * Lists a session's directory into the index. Listing and replacing are one step under a lock:
     * otherwise the start-up scan could list a directory, the finisher could rename a recovered
     * file and put the newer listing in, and the scan's older listing would then overwrite it,
     * leaving a finished file out of the index (never uploaded, never counted; seen in UploadIT).
     */
    private void relist(Path sessionDirectory, String prefix) {
        synchronized (relistLock) {
            index.replace(sessionDirectory.getFileName().toString(), ArchiveIndex.list(sessionDirectory, prefix));
        }
    }

    private final Object relistLock = new Object();

    @Override
    public void opening() {
        request();
    }

    private void request() {
        if (!limits.unlimited() && requested.compareAndSet(false, true)) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (!stopping) {
            if (!requested.getAndSet(false)) {
                LockSupport.parkNanos(this, PERIOD_NANOS);
                requested.set(false);
            }
            try {
                enforce();
            } catch (RuntimeException e) {
                LOG.error("retention check failed", e); // a bug: keep checking
            }
        }
    }

    /** Deletes oldest files until within the limits or nothing more may go. */
    void enforce() {
        StorageLimits limits = this.limits;
        if (limits.unlimited()) {
            stuck = false;
            return;
        }
        boolean within = true;
        if (limits.maxBytesTotal() > 0) {
            while (index.bytes() > limits.maxBytesTotal()) {
                if (!deleteOldest(deletedForTotal, ledger != null)) {
                    within = false;
                    break;
                }
            }
        }
        if (limits.minFreeBytes() > 0 || limits.minFreePercent() > 0) {
            try {
                long floor = Math.max(limits.floor(store.getTotalSpace()), reserve.getAsLong());
                while (store.getUsableSpace() < floor) {
                    // New packets matter more than old ones not yet shipped: those go last, and are counted.
                    if (!deleteOldest(deletedForFloor, ledger != null)
                            && (ledger == null || !deleteOldest(deletedBeforeUpload, false))) {
                        within = false;
                        break;
                    }
                }
            } catch (IOException e) {
                LOG.debug("free space of {} unknown: {}", output, e.toString());
            }
        }
        long now = System.nanoTime();
        if (unlogged > 0 && now - lastSummary >= SUMMARY_NANOS) {
            LOG.info("retention deleted {} oldest finished file(s), {} bytes, to keep {} (metric vxdump_files_deleted_total)",
                    unlogged, unloggedBytes, limits.maxBytesTotal() > 0 ? "the free-space floor and the total size"
                            : "the free-space floor");
            unlogged = 0;
            unloggedBytes = 0;
            lastSummary = now;
        }
        if (!within && !stuck) {
            LOG.warn("the output is beyond its limits and nothing more may be deleted (the newest file of each session "
                    + "is kept, and files being written count too): writes fail once the disk is full");
        } else if (within && stuck) {
            LOG.info("the output is within its limits again");
        }
        stuck = !within;
    }

    private boolean deleteOldest(LongCounter counter, boolean uploadedOnly) {
        ArchiveIndex.Entry oldest = index.oldestDeletable(uploadedOnly);
        if (oldest == null) {
            return false;
        }
        index.remove(oldest);
        try {
            if (Files.deleteIfExists(oldest.path())) {
                if (ledger != null) {
                    ledger.forget(oldest.path());
                }
                counter.increment();
                unlogged++;
                unloggedBytes += oldest.size();
                LOG.debug("deleted {} ({} bytes) for the {}", oldest.path(), oldest.size(),
                        counter == deletedForFloor ? "free-space floor" : "total size limit");
            }
        } catch (IOException e) {
            LOG.warn("deleting {} failed: {}", oldest.path(), e.toString());
        }
        return true;
    }

    /** Finished files deleted to keep the free-space floor. */
    public long deletedForFloor() {
        return deletedForFloor.get();
    }

    /** Finished files the floor deleted before they were uploaded: nothing uploaded was left to delete. */
    public long deletedBeforeUpload() {
        return deletedBeforeUpload.get();
    }

    /** The finished files and the upload backlog. */
    public ArchiveIndex index() {
        return index;
    }

    @Override
    public boolean mayDelete(Path file) {
        return ledger == null || ledger.uploaded(file);
    }

    @Override
    public void deleted(Path file) {
        if (ledger != null) {
            ledger.forget(file);
        }
    }

    /** Finished files deleted to keep the total size limit. */
    public long deletedForTotal() {
        return deletedForTotal.get();
    }

    /** Bytes of finished files this instance keeps. */
    public long keptBytes() {
        return index.bytes();
    }

    /**
     * When the oldest finished file kept began (its first packet, from its name), in seconds since
     * the epoch; NaN when none is kept. How far back the archive reaches.
     */
    public double oldestFileSeconds() {
        String stamp = index.oldestStamp();
        if (stamp == null) {
            return Double.NaN;
        }
        return io.vxdump.pcap.FileNaming.stampSeconds(stamp);
    }

    /** Finished files this instance keeps. */
    public long keptFiles() {
        return index.files();
    }

    public void stop() {
        stopping = true;
        LockSupport.unpark(thread);
    }
}
