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
 * in the reserve. The daemon makes the reserve resident once after start ({@link #prefault}),
 * because a page fault in the burst costs the receive thread dearly (on a VM whose host backs
 * memory lazily, zeroing 2 MiB pages took a third of the core at 450 kpps); the reserve is given
 * back to the kernel ({@link #trim}) after {@link #TRIM_AFTER_TICKS} quiet ticks (10 minutes),
 * and a later burst faults it in again.
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

    private final RingMemory memory;
    private final ByteBuf buf;
    private final int capacity;
    private final int mask;
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
    private int touched;
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
        this.buf = memory.buf;
        this.capacity = buf.capacity();
        this.mask = capacity - 1;
        this.base = Math.min(base, capacity);
        this.checkAt = capacity > this.base ? this.base : Long.MAX_VALUE;
        this.touched = this.base;
    }

    private static int powerOfTwo(int bytes) {
        int c = Integer.highestOneBit(Math.max(64 << 10, bytes));
        return c < bytes ? c << 1 : c;
    }

    /**
     * A ring of {@code base} bytes that may grow to {@code burst} while the writer is behind (see
     * the class comment); a fixed ring of {@code base} where the reserve cannot be had. Both
     * rounded up to powers of two.
     */
    public static StagingRing elastic(int base, int burst) {
        int b = powerOfTwo(base);
        int c = powerOfTwo(Math.max(base, burst));
        return new StagingRing(c > b ? RingMemory.elastic(c, b) : RingMemory.fixed(b), b);
    }

    /** Why rings cannot grow under a burst on this machine, or null (for the start-up line). */
    public static String elasticUnavailable() {
        return RingMemory.elasticUnavailable();
    }

    /** Bytes reserved: the base, plus the reserve of an elastic ring. */
    public int capacity() {
        return capacity;
    }

    /** Bytes the ring goes round while the writer keeps up. */
    public int base() {
        return base;
    }

    /** Bytes of the ring that are resident now (its base, plus the reserve a burst touched). Producer's figure, any thread. */
    public int resident() {
        return prefaulted ? capacity : touched;
    }

    /**
     * Any thread, once: makes the reserve resident now, without touching what it holds. False
     * where the kernel cannot (before Linux 5.14) or the ring has no reserve.
     */
    public boolean prefault() {
        if (capacity > base && memory.populate(base, capacity - base)) {
            prefaulted = true;
            return true;
        }
        return false;
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
        int offset = (int) t & mask;
        int toEnd = capacity - offset;
        boolean wrap = toEnd < length;
        if (!wrap && t + length > checkAt) {
            wrap = backToStart(t, offset, length);
        }
        long needed = wrap ? toEnd + length : length;
        if (t + needed - headCache > capacity) {
            headCache = (long) HEAD.getAcquire(this);
            if (t + needed - headCache > capacity) {
                return false;
            }
        }
        if (wrap) {
            // A padding record to the end: its header is the only byte of the rest that is touched.
            buf.setIntLE(offset, PADDING);
            buf.setIntLE(offset + 4, toEnd);
            if (offset >= base) {
                lastReserveTail = t + toEnd;
            }
            t += toEnd;
            offset = 0;
            if (checkAt != Long.MAX_VALUE) {
                checkAt = t + base;
            }
        } else if (offset >= base) {
            lastReserveTail = t + length;
            if (offset + length > touched) {
                touched = offset + length;
            }
        }
        buf.setIntLE(offset, caplen);
        buf.setIntLE(offset + 4, session);
        buf.setLongLE(offset + 8, timestampNanos);
        buf.setIntLE(offset + 16, origlen);
        buf.setBytes(offset + HEADER, src, index, caplen);
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
    private boolean backToStart(long t, int offset, int length) {
        headCache = (long) HEAD.getAcquire(this);
        if (t - headCache < base >> 3) {
            return true;
        }
        // The next chunk's end, or the next lap's base end if the reserve ends first.
        checkAt = t - offset + Math.min((offset + length + CHUNK) & -CHUNK, (long) capacity + base);
        return false;
    }

    /**
     * Producer, on its timer: gives the reserve back to the kernel, a step per call, once the
     * writer has passed the last burst and the ring has stayed within its base for
     * {@link #TRIM_AFTER_TICKS} calls.
     */
    public void trim() {
        int top = prefaulted ? capacity : touched;
        if (top <= base) {
            return;
        }
        if (((int) producerTail & mask) > base || (long) HEAD.getAcquire(this) < lastReserveTail) {
            quietTicks = 0;
            return;
        }
        if (++quietTicks < TRIM_AFTER_TICKS) {
            return;
        }
        int from = Math.max(base, (top - TRIM_STEP) & -4096);
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
            int offset = (int) consumerHead & mask;
            if (buf.getIntLE(offset) != PADDING) {
                return true;
            }
            consumerHead += buf.getIntLE(offset + 4);
        }
    }

    private int offset() {
        return (int) consumerHead & mask;
    }

    public int caplen() {
        return buf.getIntLE(offset());
    }

    public int session() {
        return buf.getIntLE(offset() + 4);
    }

    public long timestamp() {
        return buf.getLongLE(offset() + 8);
    }

    public int origlen() {
        return buf.getIntLE(offset() + 16);
    }

    /** The ring's memory; the head record's frame starts at {@link #frameIndex()}. */
    public ByteBuf buffer() {
        return buf;
    }

    public int frameIndex() {
        return offset() + HEADER;
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
