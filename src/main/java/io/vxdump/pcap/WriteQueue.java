package io.vxdump.pcap;

import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * Full staging buffers on their way from the receive threads to the writer thread: a lock-free,
 * bounded, allocation-free queue. It holds at least as many slots as there are staging buffers,
 * so an offer never fails.
 */
public final class WriteQueue {
    private final MpscArrayQueue<StagingBuffer> queue;
    private volatile Thread consumer;

    public WriteQueue(int capacity) {
        this.queue = new MpscArrayQueue<>(Math.max(2, capacity));
    }

    /** Hands a non-empty buffer to the writer. */
    public void submit(StagingBuffer buffer) {
        if (!queue.offer(buffer)) {
            throw new IllegalStateException("write queue smaller than the staging pools");
        }
        Thread c = consumer;
        if (c != null) {
            LockSupport.unpark(c);
        }
    }

    /** The consumer's end: the writer thread's, or a benchmark's that stands in for it. */
    public StagingBuffer poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    void consumer(Thread thread) {
        consumer = thread;
    }
}
