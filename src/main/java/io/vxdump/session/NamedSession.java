package io.vxdump.session;

import io.vxdump.pcap.SessionOutput;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A session as the user and the disk know it: its name, its directory of files (the output) and
 * its writer. A configuration reload that keeps the name keeps all of this and adds a new
 * {@link Session} (VNI, filter, snaplen) to {@link #views()}; every view's counts add up here, so
 * the session's metrics never go back when its filter changes.
 */
public final class NamedSession {
    private final String name;
    private final SessionOutput output;
    private final List<Session> views = new CopyOnWriteArrayList<>();
    private int writer = -1;
    private volatile boolean routed = true;
    /** When it expired (System.nanoTime()); the table's lock guards it. */
    private long expiredAt;

    NamedSession(String name, SessionOutput output) {
        this.name = name;
        this.output = output;
    }

    public String name() {
        return name;
    }

    public SessionOutput output() {
        return output;
    }

    /** Every configuration this session had, oldest first; the counts of all of them are its counts. */
    public List<Session> views() {
        return views;
    }

    /** The newest view. */
    public Session current() {
        return views.get(views.size() - 1);
    }

    /** False once a reload removed it: no packet is routed to it any more (until one adds it again). */
    public boolean routed() {
        return routed;
    }

    void routed(boolean routed) {
        this.routed = routed;
    }

    long expiredAt() {
        return expiredAt;
    }

    void expiredAt(long nanos) {
        this.expiredAt = nanos;
    }

    void add(Session view) {
        views.add(view);
    }

    int writer() {
        return writer;
    }

    void writer(int writer) {
        this.writer = writer;
    }

    /** Sum of a count over every view and lane. */
    public long sum(java.util.function.ToLongFunction<SessionLane> count) {
        long total = 0;
        for (Session v : views) {
            total += v.sum(count);
        }
        return total;
    }
}
