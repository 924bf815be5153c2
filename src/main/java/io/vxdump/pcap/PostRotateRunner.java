package io.vxdump.pcap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs post-rotate commands off the finisher, on a fixed number of threads, each command killed
 * (with everything it started) after its time limit. A finished file is renamed at once whatever
 * its hook does; hooks slower than rotation make a backlog, which is counted, never a pile of
 * {@code .part} files. A stop gives the hooks a bounded time ({@link #stop}), then kills what
 * runs and names what never ran.
 */
public final class PostRotateRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PostRotateRunner.class);

    private final ThreadPoolExecutor pool;
    private volatile long timeoutNanos;
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong notRun = new AtomicLong();
    private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /**
     * @param concurrency commands run at once
     * @param timeoutSeconds a command still running after this long is killed (0: never)
     */
    public PostRotateRunner(int concurrency, long timeoutSeconds) {
        this.pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new io.netty.util.concurrent.DefaultThreadFactory("vxdump-post-rotate", true));
        timeout(timeoutSeconds);
    }

    /** A reload's time limit: commands started from now on get it. */
    public void timeout(long seconds) {
        this.timeoutNanos = seconds <= 0 ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(seconds);
    }

    /**
     * Runs {@code command} on {@code file} when a thread is free, then {@code after} (whatever the
     * command's outcome, also when it never runs because vxdump stops first).
     */
    void submit(String command, Path file, Runnable after) {
        backlog.incrementAndGet();
        try {
            pool.execute(() -> {
                try {
                    if (stopping) {
                        notRun.incrementAndGet();
                        LOG.warn("post-rotate command not run for {}: vxdump stopped first", file);
                        return;
                    }
                    run(command, file);
                } finally {
                    backlog.decrementAndGet();
                    after.run();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            backlog.decrementAndGet();
            notRun.incrementAndGet();
            LOG.warn("post-rotate command not run for {}: vxdump is stopping", file);
            after.run();
        }
    }

    private void run(String command, Path file) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command + " \"$1\"", "vxdump-post-rotate",
                file.toString()).inheritIO();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            failed.incrementAndGet();
            LOG.warn("post-rotate command for {} could not start: {}", file, e.getMessage());
            return;
        }
        running.add(p);
        try {
            long limit = timeoutNanos;
            if (!p.waitFor(limit, TimeUnit.NANOSECONDS)) {
                kill(p);
                timedOut.incrementAndGet();
                LOG.warn("post-rotate command for {} still running after {} s: killed", file,
                        TimeUnit.NANOSECONDS.toSeconds(limit));
                return;
            }
            if (p.exitValue() != 0) {
                failed.incrementAndGet();
                LOG.warn("post-rotate command for {} exited with status {}", file, p.exitValue());
            } else {
                succeeded.incrementAndGet();
            }
        } catch (InterruptedException e) {
            kill(p);
            notRun.incrementAndGet();
            Thread.currentThread().interrupt();
        } finally {
            running.remove(p);
        }
    }

    /** The command and everything it started (a shell's children outlive a killed shell otherwise). */
    private static void kill(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
    }

    /** Commands waiting or running. */
    public int backlog() {
        return backlog.get();
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long failed() {
        return failed.get();
    }

    public long timedOut() {
        return timedOut.get();
    }

    /** Commands that never ran because vxdump stopped first. */
    public long notRun() {
        return notRun.get();
    }

    /**
     * Lets waiting and running commands finish until {@code deadlineNanos} ({@link System#nanoTime}),
     * then kills what still runs; commands not started by then are not run (logged, counted).
     * Returns true when every command ran to its end.
     */
    public boolean stop(long deadlineNanos) throws InterruptedException {
        pool.shutdown();
        long left = deadlineNanos - System.nanoTime();
        if (left > 0 && pool.awaitTermination(left, TimeUnit.NANOSECONDS)) {
            return true;
        }
        int waiting = pool.getQueue().size();
        stopping = true;
        for (Process p : running) {
            kill(p);
        }
        LOG.warn("stop: post-rotate commands out of time: {} running killed, {} waiting not run (their files are "
                + "finished; run the command on them by hand)", running.size(), waiting);
        pool.awaitTermination(2, TimeUnit.SECONDS);
        return false;
    }
}
