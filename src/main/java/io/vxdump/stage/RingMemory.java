package io.vxdump.stage;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The memory behind a staging ring. A fixed ring is JDK or Netty direct memory, all of it touched
 * at start. An elastic ring is an anonymous mapping of the burst size, reserved but not touched
 * ({@code MAP_NORESERVE}): only its base (the ring size) is touched at start; the rest becomes
 * resident when a burst reaches it, and is given back to the kernel ({@code MADV_DONTNEED}) by
 * {@link #release} once the burst is over. A mapping past 1 GiB is seen through one buffer per
 * segment, as a {@code ByteBuf} is indexed by {@code int}. Bound with JNA's direct mapping; where it cannot load,
 * rings are fixed at their base size and {@link #elasticUnavailable()} says why.
 */
final class RingMemory {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_POPULATE_WRITE = 23;
    private static final long MAP_FAILED = -1;
    private static final Throwable UNAVAILABLE = load();

    /** The memory in order, each segment the same size (a power of two). */
    final ByteBuf[] segments;
    final long address;
    final boolean elastic;

    private RingMemory(ByteBuf[] segments, long address, boolean elastic) {
        this.segments = segments;
        this.address = address;
        this.elastic = elastic;
    }

    private static Throwable load() {
        if ("nojna".equals(System.getProperty("vxdump.receive"))) {
            // The tests' way to take the path a machine without a usable JNA takes (see Receiver).
            return new UnsatisfiedLinkError("turned off by -Dvxdump.receive=nojna");
        }
        try {
            Native.register(RingMemory.class, NativeLibrary.getInstance("c"));
            return null;
        } catch (Throwable t) { // UnsatisfiedLinkError, or JNA's stub refused by a noexec temp dir
            return t;
        }
    }

    /** Why elastic rings cannot be had here, or null. */
    static String elasticUnavailable() {
        return UNAVAILABLE == null ? null : UNAVAILABLE.toString();
    }

    /**
     * {@code capacity} bytes of JDK direct memory, zeroed (so touched) now, freed by its cleaner
     * once nothing refers to the ring. Every ring's buffer is a wrapped direct ByteBuffer, fixed
     * or elastic, the warm-up's, the daemon's and the watchers' alike: one ByteBuf class on the
     * packet path, so what the warm-up compiled is what runs (a second class made the JIT
     * recompile the ring and the writer under the first load).
     */
    static RingMemory fixed(int capacity) {
        ByteBuf buf = Unpooled.wrappedBuffer(java.nio.ByteBuffer.allocateDirect(capacity));
        buf.setZero(0, capacity);
        return new RingMemory(new ByteBuf[] {buf}, 0, false);
    }

    /**
     * {@code capacity} bytes reserved, of which the first {@code base} are touched now, in
     * segments of {@code segment} bytes (all three powers of two); fixed memory of {@code base}
     * bytes when the mapping cannot be had.
     */
    static RingMemory elastic(long capacity, int base, int segment) {
        if (UNAVAILABLE != null) {
            return fixed(base);
        }
        long a = mmap(0, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (a == MAP_FAILED || a == 0) {
            return fixed(base);
        }
        // Huge pages where the kernel has them: a burst then takes a fault per 2 MiB, not per 4 KiB.
        madvise(a, capacity, MADV_HUGEPAGE);
        // Direct ByteBuffers over the mapping (JNI's NewDirectByteBuffer): they live as long as the process.
        int size = (int) Math.min(capacity, segment);
        ByteBuf[] segments = new ByteBuf[(int) (capacity / size)];
        com.sun.jna.Pointer p = new com.sun.jna.Pointer(a);
        for (int i = 0; i < segments.length; i++) {
            segments[i] = Unpooled.wrappedBuffer(p.getByteBuffer((long) i * size, size));
        }
        segments[0].setZero(0, base);
        return new RingMemory(segments, a, true);
    }

    /**
     * Makes {@code [offset, offset + length)} resident without changing what it holds (Linux
     * 5.14's {@code MADV_POPULATE_WRITE}), so safe while the producer writes there. False where
     * the kernel cannot: the pages are then faulted in by the first burst.
     */
    boolean populate(long offset, long length, Runnable betweenSteps) {
        if (!elastic || length <= 0) {
            return false;
        }
        // 2 MiB at a time: the call holds the process's mmap lock, and every mmap or munmap of the
        // JVM (a thread's stack, the code cache, direct buffers) waits for it. In one call a GiB held
        // it for seconds on a VM and stalled the whole daemon.
        for (long done = 0; done < length; done += POPULATE_STEP) {
            if (madvise(address + offset + done, Math.min(POPULATE_STEP, length - done), MADV_POPULATE_WRITE) != 0) {
                return false;
            }
            betweenSteps.run();
            Thread.yield();
        }
        return true;
    }

    private static final int POPULATE_STEP = 2 << 20;

    /** Gives {@code [offset, offset + length)} back to the kernel: it reads as zeros, and costs nothing until touched again. */
    void release(long offset, long length) {
        if (elastic && length > 0) {
            madvise(address + offset, length, MADV_DONTNEED);
        }
    }

    /**
     * Puts the calling thread in {@code SCHED_IDLE}: it runs only on a core nothing else wants.
     * The prefault's page zeroing then never takes a receive thread's core (with a 4 GiB reserve
     * at normal priority it did, and the socket dropped 45 % of a burst that came during it).
     */
    static boolean idlePriority() {
        return UNAVAILABLE == null && sched_setscheduler(0, SCHED_IDLE, new int[] {0}) == 0;
    }

    private static final int SCHED_IDLE = 5;

    private static native int sched_setscheduler(int pid, int policy, int[] param);

    private static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    private static native int madvise(long addr, long length, int advice);
}
