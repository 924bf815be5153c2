package io.vxdump.pcap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code .part} files into finished files on its own thread, so the writer never waits for
 * {@code fsync}: cut to the last whole record, force to disk, rename, sync the directory, run the
 * post-rotate command, apply retention. A reader never sees a half-written {@code .pcap}.
 */
public final class FileFinisher {
    private static final Logger LOG = LoggerFactory.getLogger(FileFinisher.class);

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vxdump-finisher");
        t.setDaemon(true);
        return t;
    });
    private volatile String postRotate;
    private volatile RetentionPolicy retention;
    private final OutputSettings settings;
    private final FinishedFileSink next;
    private final PostRotateRunner hooks;

    public FileFinisher(OutputSettings settings) {
        this(settings, FinishedFileSink.NONE, new PostRotateRunner(1, 600));
    }

    /**
     * @param next  told of every finished file, after post-rotate and per-session retention
     * @param hooks runs the post-rotate commands, so a slow one never delays a rename
     */
    public FileFinisher(OutputSettings settings, FinishedFileSink next, PostRotateRunner hooks) {
        this.postRotate = settings.postRotate().orElse(null);
        this.retention = new RetentionPolicy(settings.retention());
        this.settings = settings;
        this.next = next;
        this.hooks = hooks;
    }

    /** A reload's post-rotate command and per-session retention: files finished from now on get them. */
    public void reconfigure(OutputSettings changed) {
        postRotate = changed.postRotate().orElse(null);
        retention = new RetentionPolicy(changed.retention());
    }

    /** The post-rotate commands' runner (its backlog and outcomes are metrics). */
    public PostRotateRunner hooks() {
        return hooks;
    }

    /** A writer opens a file: the next stage may make room. Writer thread; does not block. */
    void opening() {
        next.opening();
    }

    void finish(SessionOutput.FinishedFile file) {
        thread.execute(() -> complete(file));
    }

    /** Finishes a {@code .part} file a crash left behind, once recovery has cut it. */
    void finishRecovered(Path part, Path target, String session) {
        thread.execute(() -> {
            try {
                forceAndRename(part, target);
                afterRename(target, session, null);
            } catch (IOException e) {
                LOG.error("finishing leftover {} failed: {}", part, e.toString());
            }
        });
    }

    private void complete(SessionOutput.FinishedFile f) {
        // The writer closed its descriptor (direct I/O, and an fd budget); a buffered one suffices here.
        try (FileChannel c = FileChannel.open(f.part(), StandardOpenOption.WRITE)) {
            if (c.size() > f.size()) {
                c.truncate(f.size());
            }
            c.force(true);
        } catch (IOException e) {
            LOG.error("closing {} failed: {}", f.part(), e.toString());
        }
        try {
            rename(f.part(), f.target());
            LOG.debug("finished {} ({} bytes)", f.target(), f.size());
            afterRename(f.target(), f.owner().session(), f.owner());
        } catch (IOException e) {
            LOG.error("renaming {} failed: {}", f.part(), e.toString());
        }
    }

    private void forceAndRename(Path part, Path target) throws IOException {
        try (FileChannel c = FileChannel.open(part, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        rename(part, target);
    }

    /** The atomic rename a reader waits for, made durable by syncing the directory entry. */
    private static void rename(Path part, Path target) throws IOException {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.getParent());
    }

    private void afterRename(Path target, String session, SessionOutput owner) {
        if (owner != null) {
            owner.filesFinishedCounter().increment();
        }
        String command = postRotate;
        if (command == null) {
            retain(target, session, owner);
            return;
        }
        // Retention after the hook (it sees the .pcap.gz a gzip leaves), back on this thread.
        hooks.submit(command, target, () -> {
            try {
                thread.execute(() -> retain(target, session, owner));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                retain(target, session, owner); // stopping: the finisher's thread is gone
            }
        });
    }

    private void retain(Path target, String session, SessionOutput owner) {
        String prefix = settings.filePrefix(session);
        int deleted = retention.apply(target.getParent(), prefix, next);
        if (owner != null && deleted > 0) {
            owner.filesDeletedCounter().add(deleted);
        }
        next.finished(target.getParent(), prefix);
    }

    /** The rename is durable only once the directory entry is on disk too. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("syncing directory {} failed: {}", dir, e.toString());
        }
    }

    /**
     * Finishes (renames) every file already handed over, then gives the post-rotate commands until
     * {@code deadlineNanos} ({@link System#nanoTime}) before it kills the rest, then stops.
     */
    public void shutdown(long deadlineNanos) throws InterruptedException {
        // Renames first: a marker task runs after everything handed over before it.
        java.util.concurrent.CountDownLatch renamed = new java.util.concurrent.CountDownLatch(1);
        thread.execute(renamed::countDown);
        renamed.await();
        hooks.stop(deadlineNanos);
        thread.shutdown();
        if (!thread.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            LOG.warn("stop: retention after post-rotate still running; leaving it");
        }
    }

    /** Finishes every file handed over; post-rotate commands get up to ten minutes (tests, warm-up). */
    public void shutdown() throws InterruptedException {
        shutdown(System.nanoTime() + TimeUnit.MINUTES.toNanos(10));
    }
}
