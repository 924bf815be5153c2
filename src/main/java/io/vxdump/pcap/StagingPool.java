package io.vxdump.pcap;

import org.jctools.queues.SpscArrayQueue;

/**
 * The bounded set of staging buffers of one receive thread. Buffers are made on first need, up to
 * the limit, and then circulate: the receive thread takes, the writer gives back. When all are in
 * flight, {@link #take} returns null and the caller drops and counts (writer backlog).
 */
public final class StagingPool {
    private final SpscArrayQueue<StagingBuffer> free;
    private final int bufferSize;
    private final int limit;
    private int made;

    public StagingPool(int buffers, int bufferSize) {
        this.free = new SpscArrayQueue<>(Math.max(2, buffers));
        this.bufferSize = bufferSize;
        this.limit = buffers;
    }

    /** A free buffer, or null when every buffer is staged or queued. Receive thread only. */
    public StagingBuffer take() {
        StagingBuffer b = free.poll();
        if (b == null && made < limit) {
            made++; // warm-up only: the pool grows to its limit once, then recycles
            b = new StagingBuffer(bufferSize, this);
        }
        return b;
    }

    /** Returns a drained buffer; writer thread only. */
    void giveBack(StagingBuffer b) {
        free.offer(b);
    }
}
