package io.vxdump.session;

import io.vxdump.metrics.LongCounter;

/**
 * One session as one receive thread sees it: that thread's counts for the session. Only its
 * receive thread writes to it, so nothing here takes a lock.
 */
public final class SessionLane {
    private final LongCounter staged = new LongCounter();
    private final LongCounter filtered = new LongCounter();
    private final LongCounter backlogDrops = new LongCounter();
    private final LongCounter truncated = new LongCounter();
    private final LongCounter[] decisions;

    SessionLane(int filterDecisions) {
        this.decisions = new LongCounter[filterDecisions];
        for (int i = 0; i < filterDecisions; i++) {
            decisions[i] = new LongCounter();
        }
    }

    /** Counts a packet handed to the writer; {@code cut} when its origlen exceeds its caplen. */
    public void staged(boolean cut) {
        staged.increment();
        if (cut) {
            truncated.increment();
        }
    }

    /** Counts a packet dropped because the staging ring was full: the writer is behind. */
    public void backlogDrop() {
        backlogDrops.increment();
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
