package io.vxdump.pcap;

import io.vxdump.stage.StagingRing;
import io.vxdump.stage.TimestampMerge;
import io.vxdump.stage.WriterWakeup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer thread: merges its staging rings (one per receive thread) by timestamp, appends each
 * record to its session's current file, rotates, finishes idle files and writes records that have
 * waited long enough. Sessions are sharded across writers by session id; each writer owns its
 * sessions' files, blocks and descriptors, so nothing here is shared or locked. The finisher does
 * the slow part (fsync, rename).
 */
public final class PcapWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PcapWriter.class);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Ring space is given back at least every this many bytes, so producers never see a full ring for long. */
    private static final int RELEASE_RECORDS = 64;

    private final TimestampMerge merge;
    private final StagingRing[] rings;
    private final int index;
    /** Who else gets the records written (live watchers). */
    private RecordTap live = RecordTap.NONE;
    private final IntFunction<SessionOutput> outputs;
    private final WriterContext ctx;
    private final WriterWakeup wakeup = new WriterWakeup();
    private final WallClock clock = new WallClock();
    private final List<SessionOutput> known = new ArrayList<>();
    private SessionOutput[] byId = new SessionOutput[64];
    private final Thread thread;
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicBoolean finishRequested = new java.util.concurrent.atomic.AtomicBoolean();
    private long waits;

    /**
     * @param rings        this writer's rings, one per receive thread
     * @param outputs      session id → its output (the session table's)
     * @param blockMemory  bytes of write blocks
     * @param blockSize    bytes written at once
     * @param maxOpenFiles file descriptors this writer may hold
     */
    public PcapWriter(int index, StagingRing[] rings, IntFunction<SessionOutput> outputs, FileFinisher finisher,
                      OutputSettings settings, WriteMode mode, long blockMemory, int blockSize, int maxOpenFiles) {
        this.rings = rings.clone();
        this.merge = new TimestampMerge(rings);
        this.outputs = outputs;
        WriteBlocks blocks = new WriteBlocks(blockMemory, blockSize, mode.alignment());
        this.ctx = new WriterContext(mode, blocks, new FileHandles(maxOpenFiles),
                new WriteFailureGate(settings.directory(), blockSize), finisher, settings,
                new WritesInFlight("vxdump-writer-" + index));
        this.thread = new Thread(this, "vxdump-writer-" + index);
        this.index = index;
    }

    /** Hands what this writer writes to {@code tap} too (live watchers). */
    public PcapWriter tap(RecordTap tap) {
        this.live = tap;
        return this;
    }

    /** A scratch writer (the warm-up's): its write failures are logged at debug level, not as errors. */
    public PcapWriter quiet() {
        ctx.gate.quiet = true;
        return this;
    }

    /**
     * Makes all of this writer's write blocks now rather than as sessions first need them; before
     * {@link #start} (the thread then sees them).
     */
    public PcapWriter makeBlocks() {
        ctx.blocks.makeAll();
        return this;
    }

    public void start() {
        wakeup.writer(thread);
        ctx.io.start();
        thread.start();
    }

    /** A reload's rotation: files opened from now on follow it. Any thread. */
    public void reconfigure(OutputSettings settings) {
        ctx.settings = settings;
    }

    /** What receive threads use to wake this writer. */
    public WriterWakeup wakeup() {
        return wakeup;
    }

    /** Bytes this writer has written to files so far (padding included); any thread. */
    public long bytesIssued() {
        return ctx.writeBytes.get();
    }

    /** Writes issued so far; read it once the writer has stopped (tests). */
    long writesIssued() {
        return ctx.writes;
    }

    /** True while writes fail (disk full, read-only); for the health check. */
    public boolean failing() {
        return ctx.gate.failing();
    }

    /** The last write error, for the health check. */
    public String lastError() {
        return ctx.gate.lastError();
    }

    @Override
    public void run() {
        long lastTick = System.nanoTime();
        int sinceRelease = 0;
        checkRoomForRuns();
        ctx.now = System.nanoTime();
        while (true) {
            int r = merge.next();
            if (r >= 0) {
                write(rings[r]);
                if (++sinceRelease >= RELEASE_RECORDS) {
                    // The clock is read per batch of records, not per record: it only ages buffered data.
                    sinceRelease = 0;
                    merge.release();
                    ctx.now = System.nanoTime();
                    ctx.io.reap(ctx); // the blocks of finished writes back to the pool
                }
                if (ctx.now - lastTick < TICK_NANOS) {
                    continue;
                }
            } else {
                ctx.now = System.nanoTime();
                merge.release();
                sinceRelease = 0;
                ctx.io.reap(ctx);
            }
            if (ctx.now - lastTick >= TICK_NANOS) {
                lastTick = ctx.now;
                tick();
            }
            if (r == TimestampMerge.EMPTY) {
                if (stopping) {
                    break;
                }
                wakeup.parking();
                if (merge.next() == TimestampMerge.EMPTY) {
                    wakeup.park(IDLE_PARK_NANOS);
                    ctx.now = System.nanoTime();
                } else {
                    wakeup.cancelParking();
                }
            } else if (r == TimestampMerge.WAIT) {
                // The receive thread we wait for has been asked for its watermark and may need
                // the CPU more than we do: give it ours.
                Thread.yield();
                waits++;
                ctx.now = System.nanoTime();
            }
        }
        for (SessionOutput o : known) {
            o.finish(ctx);
        }
        while (ctx.io.awaitAny(ctx)) {
            // none is left once every file is finished; a write's outcome is never left untaken
        }
        try {
            ctx.io.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("writer {}: {} writes of {} bytes on average; waited {} times for an idle receive thread",
                thread.getName(), ctx.writes, ctx.writes == 0 ? 0 : ctx.writeBytes.get() / ctx.writes, waits);
    }

    private void write(StagingRing ring) {
        SessionOutput o = output(ring.session());
        if (o == null) {
            // The id of a session forgotten a minute ago and not yet reused: cannot happen unless
            // this writer stood still that long. Nothing to write it to.
            LOG.debug("record of a forgotten session (id {}) skipped", ring.session());
            return;
        }
        try {
            o.append(ctx, ring.timestamp(), ring.buffer(), ring.frameIndex(), ring.caplen(), ring.origlen());
            tap(live, index, o, ring.timestamp(), ring.buffer(), ring.frameIndex(), ring.caplen(), ring.origlen());
        } catch (RuntimeException e) {
            // A bug, not a disk error: keep the thread alive, and say so loudly.
            LOG.error("writer failed on a record of session {}", o.session(), e);
        }
        ring.advance();
    }

    private void checkRoomForRuns() {
        ctx.runs = ctx.blocks.runBlocks() > 1 && ctx.settings.directory().toFile().getUsableSpace() >= WriteBlocks.RUN_ROOM;
    }

    /**
     * Hands a written record to the watchers of its session. Unwatched, a plain read of the tap's
     * generation and a test of the session's cached mask: the JMH benchmark {@code WriterTapBenchmark}
     * measures it.
     */
    static void tap(RecordTap live, int writer, SessionOutput o, long ts, io.netty.buffer.ByteBuf frame, int index,
                    int caplen, int origlen) {
        int g = live.generation(); // a plain read; the mask is asked again only when watchers changed
        if (g != o.liveGeneration) {
            o.liveMask = live.mask(o.session());
            o.liveGeneration = g;
            if (o.liveMask != 0 && o.liveId < 0) {
                o.liveId = live.id(o.session());
            }
        }
        if (o.liveMask != 0) {
            live.offer(o.liveMask, writer, o, ts, frame, index, caplen, origlen);
        }
    }

    /**
     * Lets go of outputs the session table forgot (sessions made for unknown VNIs that expired long
     * ago), so neither this list nor the id cache grows with every VNI ever seen; their ids may
     * then name new sessions.
     */
    private void purgeForgotten() {
        for (int i = 0; i < byId.length; i++) {
            SessionOutput o = byId[i];
            if (o != null && o.forgotten() && !o.isOpen()) {
                byId[i] = null;
            }
        }
        known.removeIf(o -> {
            if (o.forgotten() && !o.isOpen()) {
                o.known = false;
                o.purged(true);
                return true;
            }
            return false;
        });
    }

    private SessionOutput output(int id) {
        if (id >= byId.length) {
            byId = Arrays.copyOf(byId, Math.max(byId.length * 2, id + 1));
        }
        SessionOutput o = byId[id];
        if (o == null) {
            o = outputs.apply(id);
            if (o == null) {
                return null;
            }
            byId[id] = o;
            if (!o.known) { // several ids (one per configuration a reload gave) share an output
                o.known = true;
                o.seenByWriter();
                known.add(o);
            }
        }
        return o;
    }

    private void tick() {
        clock.calibrate();
        checkRoomForRuns();
        long wall = clock.nowNanos();
        boolean purge = false;
        for (SessionOutput o : known) {
            o.tick(ctx, wall);
            purge |= o.forgotten() && !o.isOpen();
        }
        if (purge) {
            purgeForgotten();
        }
        ctx.gate.probe(ctx.now);
        if (finishRequested.getAndSet(false)) {
            int finished = 0;
            for (SessionOutput o : known) {
                if (o.isOpen()) {
                    o.finish(ctx);
                    finished++;
                }
            }
            LOG.info("{}: finished {} open file(s) on request", thread.getName(), finished);
        }
    }

    /**
     * Finishes every open file of this writer within a tick (~100 ms), with what was written so
     * far; later packets go to new files. Any thread (a signal handler).
     */
    public void finishOpenFiles() {
        finishRequested.set(true);
        wakeup.wake();
    }

    /** Write blocks in use and their limit, open files and their budget: for the start-up line and tests. */
    public String describe() {
        return ctx.mode.reason() + ", " + ctx.blocks.limit() + " × " + ctx.blocks.blockSize() / 1024
                + " KiB write blocks (up to " + ctx.blocks.runBlocks() + " a write), up to " + ctx.files.budget()
                + " open files";
    }

    /**
     * Bytes this writer may write before retention looks again: a block for each session holding
     * one, and one more for the next session to open a file. Any thread.
     */
    public long roomNeeded() {
        return (ctx.blocks.lent() + 1L) * ctx.blocks.blockSize();
    }

    /** Bytes of one write. */
    public int blockSize() {
        return ctx.blocks.blockSize();
    }

    /** Capture files this writer holds open now; any thread. */
    public long openFiles() {
        return ctx.files.openFiles();
    }

    /** Times a file closed for the descriptor budget was opened again; any thread. */
    public long filesReopened() {
        return ctx.files.reopened();
    }

    /**
     * Writes what is staged, finishes every open file and returns. Call after the receive
     * threads have closed their rings.
     */
    public void drainAndStop() throws InterruptedException {
        stopping = true;
        wakeup.wake();
        thread.join();
    }
}
