package io.vxdump.session;

import io.vxdump.filter.SourceAllowList;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Where packets go: which outer sources are allowed, and VNI → session. Read lock-free by every
 * receive thread as one immutable {@link Routes} snapshot behind a volatile reference, so a packet
 * is decided wholly by one configuration. A new VNI (rare: once per session) or a reload builds
 * the next snapshot under a lock. Lookups take no lock, box nothing and allocate nothing.
 *
 * <p>Sessions made for unknown VNIs expire after a quiet period ({@link #expire}): they leave the
 * routes, so junk VNIs cannot hold the {@code max-sessions} slots for good, and their files are
 * finished. The table remembers as many expired sessions as {@code max-sessions} (a VNI that comes
 * back gets its files, counts and view again); beyond that the oldest are forgotten
 * ({@link #forgetExpired}): their counts go into {@link RetiredCounts}, and their ids are reused
 * once their writer has let go of them, so memory stays bounded whatever VNIs arrive.
 */
public final class SessionTable {
    /** How long an id waits after its session was forgotten before it may name another one. */
    static final long ID_REUSE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    /** How long after expiry a session may be forgotten (its writer finishes its file after a second). */
    static final long FORGET_AFTER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private final IntFunction<Session> unknownVniSessions;
    private final int maxUnknownVniSessions;
    private final int writers;
    private volatile Routes routes;
    /** Every named session the table knows, routed or not: a name that comes back gets its files and counts back. */
    private final Map<String, NamedSession> byName = new LinkedHashMap<>();
    private final java.util.Set<NamedSession> madeForUnknown = new java.util.HashSet<>();
    /** Sessions made for unknown VNIs that expired, oldest first. */
    private final java.util.ArrayDeque<NamedSession> expired = new java.util.ArrayDeque<>();
    /** Ids of forgotten views, oldest first, with the output they named. */
    private final java.util.ArrayDeque<FreeId> freeIds = new java.util.ArrayDeque<>();
    private int nextId;
    private volatile boolean full;
    /** System.nanoTime, or a test's clock. */
    java.util.function.LongSupplier clock = System::nanoTime;

    private record FreeId(int id, io.vxdump.pcap.SessionOutput output, long freedAtNanos) {
    }

    /** What a reload changed, for the writers (files to finish) and the log. */
    public record Changes(List<NamedSession> added, List<NamedSession> removed, List<NamedSession> reconfigured,
                          List<NamedSession> snaplenChanged) {
        public boolean none() {
            return added.isEmpty() && removed.isEmpty() && reconfigured.isEmpty();
        }
    }

    /**
     * @param configured          the sessions from the configuration
     * @param unknownVniSessions  makes the session of an unknown VNI, or null to drop unknown VNIs
     * @param maxUnknownVniSessions how many sessions may be made for unknown VNIs
     */
    public SessionTable(List<Session> configured, IntFunction<Session> unknownVniSessions, int maxUnknownVniSessions) {
        this(configured, unknownVniSessions, maxUnknownVniSessions, 1, null);
    }

    /**
     * @param writers      writer threads: a session's id picks its writer, round robin
     * @param allowSources the outer sources allowed, or null for any
     */
    public SessionTable(List<Session> configured, IntFunction<Session> unknownVniSessions, int maxUnknownVniSessions,
                        int writers, SourceAllowList allowSources) {
        this.unknownVniSessions = unknownVniSessions;
        this.maxUnknownVniSessions = maxUnknownVniSessions;
        this.writers = writers;
        Session[] all = configured.toArray(new Session[0]);
        for (int i = 0; i < all.length; i++) {
            place(all[i], i);
        }
        nextId = all.length;
        this.routes = Routes.of(all, Arrays.asList(all), allowSources, namedNow(), RetiredCounts.NONE);
    }

    private void place(Session view, int id) {
        NamedSession n = view.named();
        if (n.writer() < 0) {
            n.writer(id % writers);
        }
        view.assign(id, n.writer());
        n.add(view);
        n.routed(true);
        byName.putIfAbsent(n.name(), n);
    }

    private NamedSession[] namedNow() {
        return byName.values().toArray(new NamedSession[0]);
    }

    /** The current routes: read once per packet. */
    public Routes routes() {
        return routes;
    }

    /**
     * The session view with id {@code id}, or null for the id of a forgotten session not yet
     * reused. Ids are dense; one is reused only a minute after its session was forgotten and its
     * writer let go of it.
     */
    public Session byId(int id) {
        Session[] all = routes.all;
        return id < all.length ? all[id] : null;
    }

    /** The output of the view with id {@code id}, or null (see {@link #byId}): the writers' lookup. */
    public io.vxdump.pcap.SessionOutput outputOf(int id) {
        Session s = byId(id);
        return s == null ? null : s.output();
    }

    /** The session of {@code vni} now, or null. */
    public Session get(int vni) {
        return routes.get(vni);
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
            Session s = routes.get(vni);
            if (s != null) {
                return s;
            }
            if (madeForUnknown.size() >= maxUnknownVniSessions) {
                full = true;
                // Once, off the per-packet path: every later packet of a new VNI is counted as session_limit.
                org.slf4j.LoggerFactory.getLogger(SessionTable.class).warn("max-sessions ({}) reached: packets of "
                        + "further unknown VNIs are dropped and counted as session_limit", maxUnknownVniSessions);
                return null;
            }
            s = unknownVniSessions.apply(vni);
            NamedSession earlier = byName.get(s.name());
            if (earlier != null) {
                expired.remove(earlier);
                earlier.output().retired(false);
                Session now = earlier.current();
                if (now.vni() == vni && now.snaplen() == s.snaplen() && now.filter().equals(s.filter())) {
                    // Back after it expired: the same view, id and counts.
                    madeForUnknown.add(earlier);
                    earlier.routed(true);
                    Routes r = routes;
                    routes = Routes.of(r.all, routed(now), r.allowSources, r.named, r.retired);
                    return now;
                }
                s = now.reconfigured(vni, s.snaplen(), s.filter()); // its files and counts again
            }
            madeForUnknown.add(s.named());
            install(List.of(s), routed(s), routes.allowSources);
            return s;
        }
    }

    private List<Session> routed(Session extra) {
        List<Session> out = new ArrayList<>(routes.routed);
        out.add(extra);
        return out;
    }

    /** Adds new views and publishes the routes: after this, packets see only {@code routed}. */
    private void install(List<Session> newViews, List<Session> routed, SourceAllowList allow) {
        Session[] all = routes.all.clone();
        long now = clock.getAsLong();
        for (Session v : newViews) {
            int id = takeId(now);
            if (id >= all.length) {
                all = Arrays.copyOf(all, Math.max(id + 1, all.length + newViews.size()));
            }
            place(v, id);
            all[id] = v;
        }
        Routes r = routes;
        routes = Routes.of(all, routed, allow, namedNow(), r.retired);
    }

    /** A free id whose session was forgotten long enough ago and let go of by its writer, or a new one. */
    private int takeId(long now) {
        FreeId f = freeIds.peekFirst();
        if (f != null && now - f.freedAtNanos() >= ID_REUSE_NANOS && f.output().purged()) {
            freeIds.pollFirst();
            return f.id();
        }
        return nextId++;
    }

    /** The sessions made for unknown VNIs that are routed now. */
    public synchronized List<NamedSession> madeForUnknownRouted() {
        List<NamedSession> out = new ArrayList<>();
        for (Session s : routes.routed) {
            if (madeForUnknown.contains(s.named())) {
                out.add(s.named());
            }
        }
        return out;
    }

    /**
     * Takes {@code quiet} sessions made for unknown VNIs out of the routes: their slots count no
     * more against {@code max-sessions}, their open files are finished (after the usual grace
     * second), and a packet of their VNI makes them again (same files, counts and view). Returns
     * those that expired.
     */
    public synchronized List<NamedSession> expire(java.util.Collection<NamedSession> quiet, long nowNanos) {
        List<Session> keep = new ArrayList<>();
        List<NamedSession> gone = new ArrayList<>();
        for (Session s : routes.routed) {
            if (quiet.contains(s.named()) && madeForUnknown.contains(s.named())) {
                gone.add(s.named());
            } else {
                keep.add(s);
            }
        }
        if (gone.isEmpty()) {
            return gone;
        }
        Routes r = routes;
        routes = Routes.of(r.all, keep, r.allowSources, r.named, r.retired);
        for (NamedSession n : gone) {
            n.routed(false);
            n.output().retired(true);
            madeForUnknown.remove(n);
            n.expiredAt(nowNanos);
            expired.addLast(n);
        }
        full = false;
        return gone;
    }

    /**
     * Forgets the oldest expired sessions beyond the {@code max-sessions} it remembers, once their
     * files are finished: their counts move into {@link RetiredCounts}, their meters go, their ids
     * are freed. Returns how many were forgotten.
     */
    public synchronized int forgetExpired(long nowNanos) {
        Session[] all = null;
        RetiredCounts retired = routes.retired;
        int forgotten = 0;
        while (expired.size() > maxUnknownVniSessions) {
            NamedSession n = expired.peekFirst();
            if (n.output().fileOpen() || nowNanos - n.expiredAt() < FORGET_AFTER_NANOS) {
                break;
            }
            expired.pollFirst();
            byName.remove(n.name());
            retired = retired.plus(n);
            if (all == null) {
                all = routes.all.clone();
            }
            for (Session v : n.views()) {
                all[v.id()] = null;
                freeIds.addLast(new FreeId(v.id(), n.output(), nowNanos));
            }
            n.output().forget();
            forgotten++;
        }
        if (forgotten > 0) {
            Routes r = routes;
            routes = Routes.of(all, r.routed, r.allowSources, namedNow(), retired);
        }
        return forgotten;
    }

    /** Sessions made for unknown VNIs that expired and are remembered. */
    public synchronized int expiredSessions() {
        return expired.size();
    }

    /**
     * Applies a new configuration atomically: {@code configured} (first views, as built from the
     * configuration) replace the configured sessions, by name: a session whose name stays keeps its
     * files, writer and counts (a new view when its VNI, filter or snaplen changed); sessions made
     * for unknown VNIs stay unless their VNI is now configured; {@code allow} replaces the allowed
     * sources. Packets read before the swap follow the old routes, those after it the new ones.
     */
    public synchronized Changes reconfigure(List<Session> configured, SourceAllowList allow) {
        List<Session> newViews = new ArrayList<>();
        List<Session> routed = new ArrayList<>();
        List<NamedSession> added = new ArrayList<>();
        List<NamedSession> reconfigured = new ArrayList<>();
        List<NamedSession> snaplenChanged = new ArrayList<>();
        java.util.Set<Integer> configuredVnis = new java.util.HashSet<>();
        java.util.Set<NamedSession> stillRouted = new java.util.HashSet<>();
        java.util.Set<Session> routedNow = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        routedNow.addAll(routes.routed);
        for (Session c : configured) {
            configuredVnis.add(c.vni());
            NamedSession earlier = byName.get(c.name());
            if (earlier == null) {
                newViews.add(c);
                routed.add(c);
                added.add(c.named());
                continue;
            }
            Session now = earlier.current();
            stillRouted.add(earlier);
            madeForUnknown.remove(earlier);
            expired.remove(earlier); // configured now: never forgotten
            boolean wasRouted = routedNow.contains(now);
            if (wasRouted && now.vni() == c.vni() && now.snaplen() == c.snaplen() && now.filter().equals(c.filter())) {
                routed.add(now); // unchanged: the same view, the same counters
                continue;
            }
            Session view = now.reconfigured(c.vni(), c.snaplen(), c.filter());
            newViews.add(view);
            routed.add(view);
            (wasRouted ? reconfigured : added).add(earlier);
            if (wasRouted && now.snaplen() != c.snaplen()) {
                snaplenChanged.add(earlier);
            }
        }
        for (Session s : routes.routed) {
            if (madeForUnknown.contains(s.named()) && !configuredVnis.contains(s.vni())) {
                routed.add(s);
                stillRouted.add(s.named());
            }
        }
        madeForUnknown.retainAll(stillRouted);
        List<NamedSession> removed = new ArrayList<>();
        for (Session s : routes.routed) {
            if (!stillRouted.contains(s.named())) {
                removed.add(s.named());
            }
        }
        install(newViews, routed, allow);
        for (NamedSession n : removed) {
            n.routed(false);
        }
        full = false;
        return new Changes(added, removed, reconfigured, snaplenChanged);
    }

    /** Sessions packets are routed to now. */
    public int routedSessions() {
        return routes.routed.size();
    }

    /** Every session view by id (null at the ids of forgotten sessions). Do not modify the array. */
    public Session[] all() {
        return routes.all;
    }

    /** Every named session the table knows, routed or not. Do not modify the array. */
    public NamedSession[] named() {
        return routes.named;
    }

    /**
     * One configuration's routes: allowed sources, VNI → session view; with every view by id, every
     * named session and the counts of forgotten ones, so that one read gives consistent totals.
     * Immutable.
     */
    public static final class Routes {
        final Session[] all;
        final List<Session> routed;
        final SourceAllowList allowSources;
        final NamedSession[] named;
        final RetiredCounts retired;
        final int[] keys;
        final Session[] values;
        final int mask;

        private Routes(Session[] all, List<Session> routed, SourceAllowList allowSources, NamedSession[] named,
                       RetiredCounts retired, int capacity) {
            this.all = all;
            this.named = named;
            this.retired = retired;
            this.routed = List.copyOf(routed);
            this.allowSources = allowSources;
            this.keys = new int[capacity];
            this.values = new Session[capacity];
            this.mask = capacity - 1;
        }

        static Routes of(Session[] all, List<Session> routed, SourceAllowList allowSources, NamedSession[] named,
                         RetiredCounts retired) {
            int capacity = Integer.highestOneBit(Math.max(4, routed.size() * 2 + 1)) << 1;
            Routes s = new Routes(all, routed, allowSources, named, retired, capacity);
            for (Session session : routed) {
                int i = slot(session.vni(), s.mask);
                while (s.values[i] != null) {
                    i = (i + 1) & s.mask;
                }
                s.keys[i] = session.vni();
                s.values[i] = session;
            }
            return s;
        }

        /** Every view by id (null at forgotten ids). Do not modify. */
        public Session[] all() {
            return all;
        }

        /** Every named session known. Do not modify. */
        public NamedSession[] named() {
            return named;
        }

        /** The counts of forgotten sessions. */
        public RetiredCounts retired() {
            return retired;
        }

        /** True when {@code sender} may send (no allow list: anyone). */
        public boolean allows(InetAddress sender) {
            return allowSources == null || allowSources.allows(sender);
        }

        /** True when the IPv4 address {@code address} may send (no allow list: anyone). */
        public boolean allows4(int address) {
            return allowSources == null || allowSources.allows4(address);
        }

        /** True when the IPv6 address {@code hi:lo} may send (no allow list: anyone). */
        public boolean allows6(long hi, long lo) {
            return allowSources == null || allowSources.allows6(hi, lo);
        }

        /** The session view of {@code vni}, or null. */
        public Session get(int vni) {
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
