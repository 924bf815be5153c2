package io.vxdump.stage;

/**
 * The writer's view of its rings (one per receive thread): picks, record by record, the oldest
 * record among them, so that every file gets its records in timestamp order although different
 * receive threads carry different flows of one session.
 *
 * <p>Each ring is in order by itself. A record is safe to emit when, for every ring that is empty
 * right now, that ring's watermark (the time its producer promises no older record will follow)
 * is at or past the record's timestamp. Producers publish a watermark with every record and from
 * their timer while idle, and on request: a waiting merge asks the idle ring's producer, which
 * answers from its own thread within microseconds. With one ring nothing is ever waited for.
 */
public final class TimestampMerge {
    private final StagingRing[] rings;

    public TimestampMerge(StagingRing[] rings) {
        this.rings = rings.clone();
    }

    /** Outcome of {@link #next()} when nothing can be emitted: every ring is empty. */
    public static final int EMPTY = -1;
    /** Outcome of {@link #next()} when a record waits for an idle ring's watermark. */
    public static final int WAIT = -2;

    /**
     * The index of the ring whose head record is next in timestamp order; {@link #EMPTY} or
     * {@link #WAIT} when none may be emitted now.
     */
    public int next() {
        if (rings.length == 1) {
            return rings[0].hasRecord() ? 0 : EMPTY;
        }
        int best = -1;
        long bestTs = Long.MAX_VALUE;
        long emptyFloor = Long.MAX_VALUE;
        for (int i = 0; i < rings.length; i++) {
            StagingRing r = rings[i];
            long watermark = r.watermark(); // before hasRecord: a record published after it is newer
            if (r.hasRecord()) {
                long ts = r.timestamp();
                if (best < 0 || ts < bestTs) {
                    best = i;
                    bestTs = ts;
                }
            } else if (watermark < emptyFloor) {
                emptyFloor = watermark;
            }
        }
        if (best < 0) {
            return EMPTY;
        }
        if (bestTs <= emptyFloor) {
            return best;
        }
        // An idle ring holds the record back: ask its producer for a watermark rather than waiting
        // for its timer.
        for (StagingRing r : rings) {
            if (r.watermark() < bestTs && !r.hasRecord()) {
                r.requestWatermark();
            }
        }
        return WAIT;
    }

    /** Gives consumed space back to every producer. */
    public void release() {
        for (StagingRing r : rings) {
            r.release();
        }
    }
}
