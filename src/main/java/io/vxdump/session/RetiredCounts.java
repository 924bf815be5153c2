package io.vxdump.session;

/**
 * The counts of sessions the table forgot (made for unknown VNIs, expired, and beyond the number
 * of expired sessions it remembers): kept so that every total still adds up after their
 * per-session meters are gone. Immutable; the table publishes a new one with each forgetting.
 */
public record RetiredCounts(long staged, long filtered, long backlogDrops, long truncated, long written,
                            long bytesWritten, long writeErrors, long filesFinished, long filesDeleted, long sessions) {
    public static final RetiredCounts NONE = new RetiredCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** These counts and those of {@code n}, every view and lane. */
    RetiredCounts plus(NamedSession n) {
        var o = n.output();
        return new RetiredCounts(staged + n.sum(SessionLane::staged), filtered + n.sum(SessionLane::filtered),
                backlogDrops + n.sum(SessionLane::backlogDrops), truncated + n.sum(SessionLane::truncated),
                written + o.packetsWritten(), bytesWritten + o.bytesWritten(), writeErrors + o.writeErrors(),
                filesFinished + o.filesFinished(), filesDeleted + o.filesDeleted(), sessions + 1);
    }
}
