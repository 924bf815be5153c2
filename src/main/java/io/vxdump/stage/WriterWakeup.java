package io.vxdump.stage;

import java.util.concurrent.locks.LockSupport;

/**
 * How receive threads wake a parked writer without a system call per packet: the writer says
 * when it parks, and a producer unparks it only then, and only once enough is staged to be worth
 * a wakeup (or from its timer, so a trickle waits at most one timer period).
 */
public final class WriterWakeup {
    /** Staged bytes that make a producer wake a parked writer at once. */
    public static final long WAKE_BYTES = 256 << 10;

    private volatile Thread writer;
    private volatile boolean parked;

    /** Registers the writer thread; call from it before parking. */
    public void writer(Thread t) {
        writer = t;
    }

    /** Writer: parks for up to {@code nanos} unless woken. Call {@link #parking()} and re-check work first. */
    public void park(long nanos) {
        LockSupport.parkNanos(this, nanos);
        parked = false;
    }

    /** Writer: announces that it is about to park. */
    public void parking() {
        parked = true;
    }

    /** Writer: it found work after announcing; it will not park. */
    public void cancelParking() {
        parked = false;
    }

    /** Producer: true when the writer is parked (a plain volatile read). */
    public boolean parked() {
        return parked;
    }

    /** Producer or anyone: wakes the writer. */
    public void wake() {
        parked = false;
        Thread t = writer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
