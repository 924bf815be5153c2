package io.vxdump.session;

import io.netty.buffer.ByteBuf;
import io.vxdump.metrics.LongCounter;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.pcap.StagingBuffer;
import io.vxdump.pcap.StagingPool;
import io.vxdump.pcap.WriteQueue;

/**
 * One session as one receive thread sees it: the staging buffer being filled and that thread's
 * counts for the session. Only its receive thread writes to it, so nothing here takes a lock.
 */
public final class SessionLane {
    private final SessionOutput output;
    private final LongCounter staged = new LongCounter();
    private final LongCounter filtered = new LongCounter();
    private final LongCounter backlogDrops = new LongCounter();
    private final LongCounter truncated = new LongCounter();
    private final LongCounter[] decisions;
    private StagingBuffer current;

    SessionLane(SessionOutput output, int filterDecisions) {
        this.output = output;
        this.decisions = new LongCounter[filterDecisions];
        for (int i = 0; i < filterDecisions; i++) {
            decisions[i] = new LongCounter();
        }
    }

    /**
     * Copies one record into the staging buffer, handing a full buffer to the writer first.
     * Returns false, and counts a writer-backlog drop, when no free buffer is left.
     */
    public boolean stage(long timestampNanos, Precision precision, ByteBuf src, int index, int caplen,
                         int origlen, StagingPool pool, WriteQueue queue) {
        StagingBuffer b = current;
        if (b == null || !b.fits(caplen)) {
            if (b != null) {
                current = null;
                queue.submit(b);
            }
            b = pool.take();
            if (b == null) {
                backlogDrops.increment();
                return false;
            }
            b.assign(output);
            current = b;
        }
        b.append(timestampNanos, precision, src, index, caplen, origlen);
        staged.increment();
        if (origlen > caplen) {
            truncated.increment();
        }
        return true;
    }

    /** Counts the filter's decision: which rule (or the default) decided a packet. */
    public void decided(int decision) {
        decisions[decision].increment();
    }

    /** Counts a packet the session's filter did not keep. */
    public void filteredOut() {
        filtered.increment();
    }

    /** Packets decided by rule {@code decision} (the filter's evaluation order), or by the default. */
    public long decisions(int decision) {
        return decisions[decision].get();
    }

    /** Hands a partly filled buffer to the writer (flush timer, shutdown). */
    public void flush(WriteQueue queue) {
        StagingBuffer b = current;
        if (b != null && !b.isEmpty()) {
            current = null;
            queue.submit(b);
        }
    }

    public long staged() {
        return staged.get();
    }

    public long filtered() {
        return filtered.get();
    }

    public long backlogDrops() {
        return backlogDrops.get();
    }

    /** Packets staged whose origlen exceeds caplen because the mirror truncated them or snaplen cut them. */
    public long truncated() {
        return truncated.get();
    }
}
