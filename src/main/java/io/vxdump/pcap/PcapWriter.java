package io.vxdump.pcap;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread: takes full staging buffers off the {@link WriteQueue}, writes their records
 * to each session's current file, rotates, finishes idle files, and returns the buffers to their
 * pools. It never blocks a receive thread; the finisher does the slow part (fsync, rename).
 */
public final class PcapWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PcapWriter.class);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final WriteQueue queue;
    private final FileFinisher finisher;
    private final WriteFailureGate gate;
    private final WallClock clock = new WallClock();
    private final List<SessionOutput> outputs = new ArrayList<>();
    private final Map<SessionOutput, Boolean> known = new IdentityHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * @param output          the output directory, whose free space ends a disk-full episode
     * @param stagingBuffer   bytes of one staging buffer: the room a retry waits for
     */
    public PcapWriter(WriteQueue queue, FileFinisher finisher, java.nio.file.Path output, long stagingBuffer) {
        this.gate = new WriteFailureGate(output, stagingBuffer);
        this.queue = queue;
        this.finisher = finisher;
        this.thread = new Thread(this, "vxdump-writer");
    }

    public void start() {
        queue.consumer(thread);
        thread.start();
    }

    /** True while writes fail (disk full, read-only); for the health check. */
    public boolean failing() {
        return gate.failing();
    }

    /** The last write error, for the health check. */
    public String lastError() {
        return gate.lastError();
    }

    @Override
    public void run() {
        long lastTick = System.nanoTime();
        while (true) {
            StagingBuffer b = queue.poll();
            if (b != null) {
                write(b);
            }
            long now = System.nanoTime();
            if (now - lastTick >= TICK_NANOS) {
                lastTick = now;
                clock.calibrate();
                long wall = clock.nowNanos();
                for (SessionOutput o : outputs) {
                    o.tick(wall, finisher);
                }
            }
            if (b == null) {
                if (stopping && queue.isEmpty()) {
                    break;
                }
                LockSupport.parkNanos(TICK_NANOS);
            }
        }
        for (SessionOutput o : outputs) {
            o.finish(finisher);
        }
    }

    private void write(StagingBuffer b) {
        SessionOutput target = b.target();
        if (known.put(target, Boolean.TRUE) == null) {
            outputs.add(target);
        }
        try {
            target.write(b, gate, finisher, System.nanoTime());
        } catch (RuntimeException e) {
            // A bug, not a disk error: keep the thread and the buffer alive, and say so loudly.
            LOG.error("writer failed on a buffer of session {}", target.session(), e);
        } finally {
            b.recycle();
        }
    }

    /**
     * Writes what is queued, finishes every open file and returns. Call after the receive threads
     * have handed over their last buffers.
     */
    public void drainAndStop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join();
    }
}
