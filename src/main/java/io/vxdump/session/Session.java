package io.vxdump.session;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.SessionOutput;

/**
 * A mirror session: the packets of one VNI, written to their own directory of rotating files.
 * Immutable apart from its lanes (one per receive thread) and its output (the writer's).
 */
public final class Session {
    private final int vni;
    private final String name;
    private final int snaplen;
    private final SessionFilter filter;
    private final SessionOutput output;
    private final SessionLane[] lanes;
    private int id = -1;
    private int writer;

    public Session(int vni, String name, int snaplen, SessionFilter filter,
                   SessionOutput output, int receiveThreads) {
        this.vni = vni;
        this.name = name;
        this.snaplen = snaplen;
        this.filter = filter;
        this.output = output;
        this.lanes = new SessionLane[receiveThreads];
        for (int i = 0; i < receiveThreads; i++) {
            lanes[i] = new SessionLane(filter.decisions());
        }
    }

    /** Dense index given by the {@link SessionTable}: how staged records name their session. */
    public int id() {
        return id;
    }

    /** Which writer thread writes this session's files. */
    public int writer() {
        return writer;
    }

    void assign(int id, int writer) {
        if (this.id >= 0) {
            throw new IllegalStateException("session " + name + " is in a table already");
        }
        this.id = id;
        this.writer = writer;
    }

    public int vni() {
        return vni;
    }

    public String name() {
        return name;
    }

    /** Bytes of each frame kept; 0 keeps whole frames. */
    public int snaplen() {
        return snaplen;
    }

    public SessionFilter filter() {
        return filter;
    }

    public SessionOutput output() {
        return output;
    }

    /** The lane of receive thread {@code thread}. */
    public SessionLane lane(int thread) {
        return lanes[thread];
    }

    /** Sum of a count over all lanes. */
    public long sum(java.util.function.ToLongFunction<SessionLane> count) {
        long total = 0;
        for (SessionLane l : lanes) {
            total += count.applyAsLong(l);
        }
        return total;
    }
}
