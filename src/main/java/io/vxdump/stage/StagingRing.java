package io.vxdump.stage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The hand-off from one receive thread to one writer thread: a single-producer, single-consumer
 * byte ring of staged packets, in the order the thread received them, for all sessions at once.
 * Its memory is fixed at start and does not depend on how many sessions there are.
 *
 * <p>Layout (Agrona's ring buffer and Aeron's log are the models): records are 8-byte aligned and
 * never wrap; a record that would cross the end is preceded by a padding record that fills the
 * rest. A record is a 24-byte header (caplen, session id, timestamp, origlen) and the frame's
 * first caplen bytes. The producer writes a record, then publishes the new tail with a release
 * store; the consumer reads up to the tail it acquired and gives space back by publishing its head.
 *
 * <p>An <em>elastic</em> ring ({@link #elastic}) reserves a burst size but normally goes round only
 * its base (the ring size): at the base's end the producer goes back to the start while the writer
 * is less than an eighth of the base behind, and on into the reserve otherwise, looking again every
 * {@link #CHUNK}. (Going back leaves at least 7/8 of the base before the writer's position: a
 * writer that stops dead just then can lose packets after that much, a writer that falls behind
 * gradually never before the reserve is full.) A burst the disk cannot take at once is then held
 * in the reserve. The daemon makes the reserve resident once at start ({@link #prefault}),
 * because a page fault in the burst costs the receive thread dearly (on a VM whose host backs
 * memory lazily, zeroing 2 MiB pages took a third of the core at 450 kpps); the reserve is given
 * back to the kernel ({@link #trim}) after {@link #TRIM_AFTER_TICKS} quiet ticks (10 minutes),
 * and a later burst faults it in again.
 *
 * <p>A reserve larger than 1 GiB (a {@code ByteBuf} is indexed by {@code int}) is a row of
 * <em>segments</em> of one mapping, each its own buffer; positions stay {@code long}s, and a record
 * never crosses a segment's end, as it never crosses the ring's: a padding record fills the rest.
 * A padding record's length is counted in 8-byte units in an {@code int}, so it spans up to 16 GiB;
 * a ring is at most {@link #MAX_CAPACITY}.
 *
 * <p>The producer also publishes a <em>watermark</em>: a time no later record of this ring can be
 * older than. The writer merges several rings by timestamp and may emit a record from one ring only
 * when every empty ring's watermark has passed it (see {@link TimestampMerge}).
 */
public final class StagingRing {
    /** Bytes before the frame in a record. */
    public static final int HEADER = 24;
    private static final int PADDING = -1;
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;
    private static final VarHandle WATERMARK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(StagingRing.class, "tail", long.class);
            HEAD = l.findVarHandle(StagingRing.class, "head", long.class);
            WATERMARK = l.findVarHandle(StagingRing.class, "watermark", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How often a producer in the reserve looks whether it may go back to the start. */
    static final int CHUNK = 2 << 20;
    /** Quiet ticks (of the receive thread's 10 ms timer) before the reserve is given back: 10 minutes. */
    static final int TRIM_AFTER_TICKS = 60_000;
    /** Bytes of the reserve given back per tick: the receive thread is not held up for long. */
    static final int TRIM_STEP = 64 << 20;

    /** Most a ring may reserve: a padding record's length in 8-byte units must fit an {@code int}. */
    public static final long MAX_CAPACITY = 8L << 30;
    /** The segment size of a reserve past 1 GiB. */
    static final int SEGMENT = 1 << 30;

    private final RingMemory memory;
    /** The ring's memory, {@code 1 << segmentShift} bytes each; one for a ring of up to a segment. */
    private final ByteBuf[] segments;
    private final int segmentShift;
    private final int segmentMask;
    private final long capacity;
    private final long mask;
    /** The base: what the ring goes round when the writer keeps up. {@code capacity} for a fixed ring. */
    private final int base;

    // Producer's side. The padding keeps the two threads' hot fields on different cache lines.
    private long producerTail;
    private long headCache;
    /**
     * The position (not offset: a lap can end exactly at the end, without padding) at which the
     * producer next decides between the start and the reserve; never, for a fixed ring.
     */
    private long checkAt;
    /** End of the reserve touched so far (resident), or {@code base}. */
    private long touched;
    /** The producer's tail after its last record in the reserve: once the writer is past it, the reserve is unused. */
    private long lastReserveTail;
    private int quietTicks;
    /** The whole reserve was made resident by {@link #prefault} (set by that thread, cleared by the producer's trim). */
    private volatile boolean prefaulted;
    @SuppressWarnings("unused") private long p1, p2, p3, p4, p5, p6, p7;
    private volatile long tail;
    private volatile long watermark;
    @SuppressWarnings("unused") private long q1, q2, q3, q4, q5, q6, q7;
    /** Asks the producer to advance its watermark now (set by the receive side; may be null). */
    private volatile Runnable watermarkRequest;
    // Consumer's side.
    private volatile long head;
    private long consumerHead;
    private long tailCache;
    /** Where the head record is, set by {@link #hasRecord()}. */
    private ByteBuf headSegment;
    private int headIndex;

    /**
     * A fixed ring. Its memory is a JDK direct buffer that the garbage collector frees once nothing
     * refers to the ring, so rings that come and go (a live watcher's) need no freeing by hand while
     * a writer may still be finishing an offer into one that was just let go.
     *
     * @param capacity bytes; rounded up to a power of two, at least 64 KiB
     */
    public StagingRing(int capacity) {
        this(RingMemory.fixed(powerOfTwo(capacity)), powerOfTwo(capacity));
    }

    private StagingRing(RingMemory memory, int base) {
        this.memory = memory;
        this.segments = memory.segments;
        int segment = segments[0].capacity();
        this.segmentShift = Integer.numberOfTrailingZeros(segment);
        this.segmentMask = segment - 1;
        this.capacity = (long) segments.length * segment;
        this.mask = capacity - 1;
        this.base = (int) Math.min(base, capacity);
        this.checkAt = capacity > this.base ? this.base : Long.MAX_VALUE;
        this.touched = this.base;
    }

    private static int powerOfTwo(int bytes) {
        return (int) powerOfTwo((long) bytes);
    }

    private static long powerOfTwo(long bytes) {
        long c = Long.highestOneBit(Math.max(64 << 10, bytes));
        return c < bytes ? c << 1 : c;
    }

    /**
     * A ring of {@code base} bytes that may grow to {@code burst} (at most {@link #MAX_CAPACITY})
     * while the writer is behind (see the class comment); a fixed ring of {@code base} where the
     * reserve cannot be had. Both rounded up to powers of two.
     */
    public static StagingRing elastic(int base, long burst) {
        return elastic(base, burst, SEGMENT);
    }

    /** As {@link #elastic(int, long)}, in segments of {@code segment} bytes (the tests' way to cross segments). */
    static StagingRing elastic(int base, long burst, int segment) {
        int b = powerOfTwo(base);
        long c = Math.min(MAX_CAPACITY, powerOfTwo(Math.max(base, burst)));
        return new StagingRing(c > b ? RingMemory.elastic(c, b, Math.max(b, segment)) : RingMemory.fixed(b), b);
    }

    /** Why rings cannot grow under a burst on this machine, or null (for the start-up line). */
    public static String elasticUnavailable() {
        return RingMemory.elasticUnavailable();
    }

    /** Bytes reserved: the base, plus the reserve of an elastic ring. */
    public long capacity() {
        return capacity;
    }

    /** Bytes the ring goes round while the writer keeps up. */
    public int base() {
        return base;
    }

    /** Bytes of the ring that are resident now: its base, and the reserve made resident or touched by a burst. Any thread. */
    public long resident() {
        return prefaulted ? capacity : touched;
    }

    /**
     * Any thread, once: makes the reserve resident now, without touching what it holds. False
     * where the kernel cannot (before Linux 5.14) or the ring has no reserve.
     *
     * <p>All of it, at start. On a VM whose host backs memory lazily this costs 1.5-2 s of CPU per
     * GiB, once. Made resident during a burst instead, half of a 2 GiB reserve at start and the
     * rest at idle priority ahead of the burst, the pinned yardstick lost 4-21 % at the socket
     * (against 0 % with all of it at start): the receive thread's core stalls while the host
     * backs the pages.
     */
    public boolean prefault() {
        return prefault(() -> { });
    }

    /**
     * As {@link #prefault()}, running {@code betweenSteps} on the calling thread after each 2 MiB
     * made resident (the daemon lowers the thread's priority there once the ports are read).
     */
    public boolean prefault(Runnable betweenSteps) {
        if (capacity > base && memory.populate(base, capacity - base, betweenSteps)) {
            prefaulted = true;
            return true;
        }
        return false;
    }

    /**
     * Lowers the calling thread to {@code SCHED_IDLE}, for the thread that runs {@link #prefault}
     * once the receive threads are at work: false where that cannot be had.
     */
    public static boolean idlePriority() {
        return RingMemory.idlePriority();
    }

    /** The largest frame a record can carry. */
    public int maxFrame() {
        return base / 4 - HEADER;
    }

    // ---- producer (one receive thread) ----

    /**
     * Appends one record; false when the ring has no room (the writer is behind): the caller
     * drops and counts the packet. The one copy of the frame between the socket and the file's
     * write buffer happens here.
     */
    public boolean offer(int session, long timestampNanos, ByteBuf src, int index, int caplen, int origlen) {
        int length = (HEADER + caplen + 7) & ~7;
        if (length > base >> 2) {
            return false;
        }
        long t = producerTail;
        long offset = t & mask;
        int at = (int) offset & segmentMask;
        // A jump: to the start (the writer keeps up, or the ring's end), or to the next segment.
        long jump = 0;
        if (t + length > checkAt && backToStart(t, offset, length)) {
            jump = capacity - offset;
        } else if (segmentMask + 1 - at < length) {
            jump = segmentMask + 1 - at;
        }
        if (t + jump + length - headCache > capacity) {
            headCache = (long) HEAD.getAcquire(this);
            if (t + jump + length - headCache > capacity) {
                return false;
            }
        }
        if (jump != 0) {
            // A padding record: its header is the only byte of what it skips that is touched.
            ByteBuf s = segments[(int) (offset >>> segmentShift)];
            s.setIntLE(at, PADDING);
            s.setIntLE(at + 4, (int) (jump >>> 3));
            if (offset >= base) {
                lastReserveTail = t + jump;
            }
            t += jump;
            offset = t & mask;
            at = (int) offset & segmentMask;
            if (offset == 0 && checkAt != Long.MAX_VALUE) {
                checkAt = t + base;
            }
        }
        if (offset >= base) {
            lastReserveTail = t + length;
            if (offset + length > touched) {
                touched = offset + length;
            }
        }
        ByteBuf buf = segments[(int) (offset >>> segmentShift)];
        buf.setIntLE(at, caplen);
        buf.setIntLE(at + 4, session);
        buf.setLongLE(at + 8, timestampNanos);
        buf.setIntLE(at + 16, origlen);
        buf.setBytes(at + HEADER, src, index, caplen);
        t += length;
        producerTail = t;
        TAIL.setRelease(this, t);
        WATERMARK.setRelease(this, timestampNanos);
        return true;
    }

    /**
     * At the base's end, or a chunk's end in the reserve: back to the start while the writer is
     * less than an eighth of the base behind (then the start has room), on into the reserve otherwise.
     */
    private boolean backToStart(long t, long offset, int length) {
        headCache = (long) HEAD.getAcquire(this);
        if (t - headCache < base >> 3) {
            return true;
        }
        // The next chunk's end, or the next lap's base end if the reserve ends first.
        checkAt = t - offset + Math.min((offset + length + CHUNK) & -CHUNK, capacity + base);
        return false;
    }

    /**
     * Producer, on its timer: gives the reserve back to the kernel, a step per call, once the
     * writer has passed the last burst and the ring has stayed within its base for
     * {@link #TRIM_AFTER_TICKS} calls.
     */
    public void trim() {
        long top = prefaulted ? capacity : touched;
        if (top <= base) {
            return;
        }
        if ((producerTail & mask) > base || (long) HEAD.getAcquire(this) < lastReserveTail) {
            quietTicks = 0;
            return;
        }
        if (++quietTicks < TRIM_AFTER_TICKS) {
            return;
        }
        long from = Math.max(base, (top - TRIM_STEP) & -4096);
        memory.release(from, top - from);
        touched = from;
        prefaulted = false;
    }

    /**
     * Promises that no record this ring receives from now on is older than {@code nanos}: the
     * receive thread's timer calls it while idle, so the writer need not wait for this ring.
     */
    public void advanceWatermark(long nanos) {
        WATERMARK.setRelease(this, nanos);
    }

    /**
     * What {@link #requestWatermark()} runs: the receive side schedules a watermark update on
     * the producer's own thread, so an idle producer answers a waiting writer at once.
     */
    public void onWatermarkRequest(Runnable request) {
        this.watermarkRequest = request;
    }

    /** No more records: the writer never waits for this ring again. */
    public void close() {
        WATERMARK.setRelease(this, Long.MAX_VALUE);
    }

    /** Bytes staged and not yet taken by the writer, as the producer sees it. */
    public long backlog() {
        return producerTail - (long) HEAD.getAcquire(this);
    }

    // ---- consumer (one writer thread) ----

    /** The watermark; read it before {@link #hasRecord()} to rely on it for an empty ring. */
    public long watermark() {
        return (long) WATERMARK.getAcquire(this);
    }

    /**
     * True when a record is ready at the head; skips padding. After it returns true the record's
     * fields are read with the accessors below until {@link #advance()}.
     */
    public boolean hasRecord() {
        while (true) {
            if (consumerHead == tailCache) {
                tailCache = (long) TAIL.getAcquire(this);
                if (consumerHead == tailCache) {
                    return false;
                }
            }
            long offset = consumerHead & mask;
            ByteBuf s = segments[(int) (offset >>> segmentShift)];
            int at = (int) offset & segmentMask;
            if (s.getIntLE(at) != PADDING) {
                headSegment = s;
                headIndex = at;
                return true;
            }
            consumerHead += (long) s.getIntLE(at + 4) << 3;
        }
    }

    public int caplen() {
        return headSegment.getIntLE(headIndex);
    }

    public int session() {
        return headSegment.getIntLE(headIndex + 4);
    }

    public long timestamp() {
        return headSegment.getLongLE(headIndex + 8);
    }

    public int origlen() {
        return headSegment.getIntLE(headIndex + 16);
    }

    /** The memory that holds the head record; its frame starts at {@link #frameIndex()}. */
    public ByteBuf buffer() {
        return headSegment;
    }

    public int frameIndex() {
        return headIndex + HEADER;
    }

    /** Done with the head record. The space is given back by {@link #release()}. */
    public void advance() {
        consumerHead += (HEADER + caplen() + 7) & ~7;
    }

    /** Gives the consumed space back to the producer; the writer calls it every so often. */
    public void release() {
        HEAD.setRelease(this, consumerHead);
    }

    /** Consumer: asks an idle producer to say that nothing older is coming (see {@link #onWatermarkRequest}). */
    public void requestWatermark() {
        Runnable r = watermarkRequest;
        if (r != null) {
            r.run();
        }
    }
}
