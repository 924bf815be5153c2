package io.vxdump.pcap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The writes one writer thread has in flight: full runs of blocks that {@link #THREADS} I/O
 * threads write while the writer goes on copying records into the next blocks. A session has at
 * most one write in flight (its next write, and anything else that touches its file, waits for
 * it), so two sessions' runs reach the disk at once, and the writer's copying overlaps the disk's
 * work. On the build VM's virtio disk fio's 4 MiB direct writes two at a time were 1.3–1.7× as fast
 * as one at a time in most runs; end to end, a sustained 1400 B load lost 0.4–12 % instead of
 * 14–19 % in a slow hour and the same as before in a fast one (bench/README, issue 17 step 9). The
 * writer thread owns this object; the I/O threads see only the queue.
 */
final class WritesInFlight {
    /**
     * I/O threads per writer: writes at once to the disk. {@code -Dvxdump.io-threads=N} changes it
     * for measurements (bench/README, issue 17 step 9: 1, 2 and 4 were within the disk's noise).
     */
    static final int THREADS = Math.max(1, Integer.getInteger("vxdump.io-threads", 2));
    private static final RunWrite STOP = new RunWrite(0);

    private final String name;
    private final LinkedBlockingQueue<RunWrite> queue = new LinkedBlockingQueue<>();
    /** Handed over, outcome not yet taken; oldest first. */
    private final List<RunWrite> flying = new ArrayList<>();
    private Thread[] threads;

    WritesInFlight(String name) {
        this.name = name;
    }

    /**
     * Starts the I/O threads, before the writer's (so that no thread is made, and no stack mapped,
     * while traffic flows); a writer run without it starts them at its first write.
     */
    void start() {
        if (threads == null) {
            threads = new Thread[THREADS];
            for (int i = 0; i < THREADS; i++) {
                threads[i] = new Thread(this::serve, name + "-io-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
        }
    }

    /** Hands {@code w} to an I/O thread. */
    void submit(RunWrite w) {
        start();
        w.writer = Thread.currentThread();
        w.done = false;
        w.active = true;
        flying.add(w);
        queue.add(w);
    }

    private void serve() {
        while (true) {
            RunWrite w;
            try {
                w = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (w == STOP) {
                return;
            }
            w.perform();
        }
    }

    /** Takes the outcome of every write that has finished. */
    void reap(WriterContext ctx) {
        for (int i = 0; i < flying.size(); ) {
            RunWrite w = flying.get(i);
            if (w.done) {
                flying.remove(i);
                w.owner.writeDone(ctx);
            } else {
                i++;
            }
        }
    }

    /** Waits for {@code w} and takes its outcome: whether it succeeded. */
    boolean await(RunWrite w, WriterContext ctx) {
        while (!w.done) {
            LockSupport.park(this);
        }
        flying.remove(w);
        return w.owner.writeDone(ctx);
    }

    /** Waits for the oldest write in flight and takes its outcome; false if none is. */
    boolean awaitAny(WriterContext ctx) {
        if (flying.isEmpty()) {
            return false;
        }
        await(flying.get(0), ctx);
        return true;
    }

    /** Ends the I/O threads once nothing is in flight (the writer's last act). */
    void stop() throws InterruptedException {
        if (threads == null) {
            return;
        }
        for (int i = 0; i < threads.length; i++) {
            queue.add(STOP);
        }
        for (Thread t : threads) {
            t.join();
        }
        threads = null;
    }
}
