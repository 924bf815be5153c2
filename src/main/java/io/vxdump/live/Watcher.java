package io.vxdump.live;

import io.netty.buffer.ByteBuf;
import io.vxdump.stage.StagingRing;
import java.util.Set;

/**
 * One client of the live stream: the sessions it asked for (none: all), and a bounded ring per
 * writer thread from that writer to the client's sender thread. A full ring refuses the record:
 * the watcher loses it (counted), the file never does.
 */
final class Watcher {
    private final Set<String> sessions;
    final StagingRing[] rings;

    Watcher(Set<String> sessions, int writers, int ringBytes) {
        this.sessions = Set.copyOf(sessions);
        this.rings = new StagingRing[writers];
        for (int i = 0; i < writers; i++) {
            rings[i] = new StagingRing(ringBytes);
        }
    }

    boolean wants(String session) {
        return sessions.isEmpty() || sessions.contains(session);
    }

    /** Writer thread {@code writer}; false when the watcher is behind and the record is lost to it. */
    boolean offer(int writer, int session, long timestampNanos, ByteBuf frame, int index, int caplen, int origlen) {
        return rings[writer].offer(session, timestampNanos, frame, index, caplen, origlen);
    }

    void close() {
        for (StagingRing r : rings) {
            r.close();
        }
    }
}
