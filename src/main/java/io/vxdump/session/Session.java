package io.vxdump.session;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.SessionOutput;

/**
 * A mirror session as the packet path sees it under one configuration: its VNI, filter and
 * snaplen, with one {@link SessionLane} of counts per receive thread. Immutable apart from the
 * lanes. A reload that changes the VNI, filter or snaplen of a session makes a new view of the
 * same {@link NamedSession} (same name, files and writer), so every packet is decided by one
 * configuration, old or new, never a mix.
 */
public final class Session {
    private final int vni;
    private final NamedSession named;
    private final int snaplen;
    private final SessionFilter filter;
    private final SessionLane[] lanes;
    private int id = -1;
    private int writer;

    /** The first view of a new session named {@code name}, written to {@code output}. */
    public Session(int vni, String name, int snaplen, SessionFilter filter,
                   SessionOutput output, int receiveThreads) {
        this(vni, new NamedSession(name, output), snaplen, filter, receiveThreads);
    }

    private Session(int vni, NamedSession named, int snaplen, SessionFilter filter, int receiveThreads) {
        this.vni = vni;
        this.named = named;
        this.snaplen = snaplen;
        this.filter = filter;
        this.lanes = new SessionLane[receiveThreads];
        for (int i = 0; i < receiveThreads; i++) {
            lanes[i] = new SessionLane(filter.decisions());
        }
    }

    /** A new view of the same named session with this configuration. */
    Session reconfigured(int vni, int snaplen, SessionFilter filter) {
        return new Session(vni, named, snaplen, filter, lanes.length);
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
            throw new IllegalStateException("session " + name() + " is in a table already");
        }
        this.id = id;
        this.writer = writer;
    }

    public int vni() {
        return vni;
    }

    public String name() {
        return named.name();
    }

    /** The session this is a view of: its name, files and every earlier configuration. */
    public NamedSession named() {
        return named;
    }

    /** Bytes of each frame kept; 0 keeps whole frames. */
    public int snaplen() {
        return snaplen;
    }

    public SessionFilter filter() {
        return filter;
    }

    public SessionOutput output() {
        return named.output();
    }

    /** The lane of receive thread {@code thread}. */
    public SessionLane lane(int thread) {
        return lanes[thread];
    }

    /** Sum of a count over all lanes of this view. */
    public long sum(java.util.function.ToLongFunction<SessionLane> count) {
        long total = 0;
        for (SessionLane l : lanes) {
            total += count.applyAsLong(l);
        }
        return total;
    }
}
