package io.vxdump.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter with one writing thread and any number of readers.
 *
 * <p>The owner increments with an opaque store: no lock, no CAS, no fence on x86, yet a reader on
 * another thread (a scrape, the shutdown summary) sees whole values that only go up.
 */
public final class LongCounter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(LongCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    /** Adds one; only the owning thread may call it. */
    public void increment() {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
    }

    /** Adds {@code n}; only the owning thread may call it. */
    public void add(long n) {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + n);
    }

    /** The current value, from any thread. */
    public long get() {
        return (long) VALUE.getOpaque(this);
    }
}
