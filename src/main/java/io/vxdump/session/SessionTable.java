package io.vxdump.session;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * VNI → session, read lock-free by every receive thread. The table is an immutable open-addressing
 * snapshot behind a volatile reference; a new VNI (rare: once per session) builds the next
 * snapshot under a lock. Lookups take no lock, box nothing and allocate nothing.
 */
public final class SessionTable {
    private final IntFunction<Session> unknownVniSessions;
    private final int maxUnknownVniSessions;
    private final int writers;
    private volatile Snapshot snapshot;
    private int madeForUnknown;
    private volatile boolean full;

    /**
     * @param configured          the sessions from the configuration
     * @param unknownVniSessions  makes the session of an unknown VNI, or null to drop unknown VNIs
     * @param maxUnknownVniSessions how many sessions may be made for unknown VNIs
     */
    public SessionTable(List<Session> configured, IntFunction<Session> unknownVniSessions, int maxUnknownVniSessions) {
        this(configured, unknownVniSessions, maxUnknownVniSessions, 1);
    }

    /**
     * @param writers writer threads: a session's id picks its writer, round robin
     */
    public SessionTable(List<Session> configured, IntFunction<Session> unknownVniSessions, int maxUnknownVniSessions,
                        int writers) {
        this.unknownVniSessions = unknownVniSessions;
        this.maxUnknownVniSessions = maxUnknownVniSessions;
        this.writers = writers;
        Session[] all = configured.toArray(new Session[0]);
        for (int i = 0; i < all.length; i++) {
            all[i].assign(i, i % writers);
        }
        this.snapshot = Snapshot.of(all);
    }

    /** The session with id {@code id}; ids are dense and never reused. */
    public Session byId(int id) {
        return snapshot.all[id];
    }

    /** The session of {@code vni}, or null. */
    public Session get(int vni) {
        return snapshot.get(vni);
    }

    /** True when unknown VNIs get sessions of their own ({@code unknown-vni: capture}). */
    public boolean capturesUnknown() {
        return unknownVniSessions != null;
    }

    /**
     * The session of a VNI that {@link #get} did not find: made now when unknown VNIs are captured
     * and the limit allows, else null (the caller counts unknown_vni or session_limit).
     */
    public Session forUnknown(int vni) {
        if (unknownVniSessions == null || full) {
            return null;
        }
        synchronized (this) {
            Session s = snapshot.get(vni);
            if (s != null) {
                return s;
            }
            if (madeForUnknown >= maxUnknownVniSessions) {
                full = true;
                // Once, off the per-packet path: every later packet of a new VNI is counted as session_limit.
                org.slf4j.LoggerFactory.getLogger(SessionTable.class).warn("max-sessions ({}) reached: packets of "
                        + "further unknown VNIs are dropped and counted as session_limit", maxUnknownVniSessions);
                return null;
            }
            s = unknownVniSessions.apply(vni);
            madeForUnknown++;
            Session[] all = Arrays.copyOf(snapshot.all, snapshot.all.length + 1);
            all[all.length - 1] = s;
            s.assign(all.length - 1, (all.length - 1) % writers);
            snapshot = Snapshot.of(all);
            return s;
        }
    }

    /** Every session, in the order made. Do not modify the array. */
    public Session[] all() {
        return snapshot.all;
    }

    private static final class Snapshot {
        final Session[] all;
        final int[] keys;
        final Session[] values;
        final int mask;

        private Snapshot(Session[] all, int capacity) {
            this.all = all;
            this.keys = new int[capacity];
            this.values = new Session[capacity];
            this.mask = capacity - 1;
        }

        static Snapshot of(Session[] all) {
            int capacity = Integer.highestOneBit(Math.max(4, all.length * 2 + 1)) << 1;
            Snapshot s = new Snapshot(all, capacity);
            for (Session session : all) {
                int i = slot(session.vni(), s.mask);
                while (s.values[i] != null) {
                    i = (i + 1) & s.mask;
                }
                s.keys[i] = session.vni();
                s.values[i] = session;
            }
            return s;
        }

        Session get(int vni) {
            int i = slot(vni, mask);
            Session s;
            while ((s = values[i]) != null) {
                if (keys[i] == vni) {
                    return s;
                }
                i = (i + 1) & mask;
            }
            return null;
        }

        private static int slot(int vni, int mask) {
            return (vni * 0x9E3779B9) >>> 8 & mask;
        }
    }
}
