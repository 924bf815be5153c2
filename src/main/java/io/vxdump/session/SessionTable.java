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

    /**
     * {@link #outputOf} as the writers take it. One call site for the daemon and the warm-up: the
     * same lambda class, so the JIT's type profile from the warm-up holds for real traffic.
     */
    public java.util.function.IntFunction<io.vxdump.pcap.SessionOutput> outputs() {
        return this::outputOf;
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
                    publish(routes.route(now, null));
                    return now;
                }
                s = now.reconfigured(vni, s.snaplen(), s.filter()); // its files and counts again
            }
            boolean newName = earlier == null;
            place(s, takeId(clock.getAsLong()));
            madeForUnknown.add(s.named());
            // In place, O(1): no copy of the tables per new session (a copy only when they double).
            publish(routes.route(s, newName ? s.named() : null));
            return s;
        }
    }

    /** Publishes {@code r} if adding to the routes had to grow them into a new instance. */
    private void publish(Routes r) {
        if (r != routes) {
            routes = r;
        }
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
        routes = Routes.of(r.all, keep, r.allowSources, r.named(), r.retired);
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
        return routes.routedCount();
    }

    /** Every session view by id (null at the ids of forgotten sessions), up to the highest id (a copy). */
    public Session[] all() {
        Session[] all = routes.all;
        int end = all.length;
        while (end > 0 && all[end - 1] == null) {
            end--;
        }
        return Arrays.copyOf(all, end);
    }

    /** Every named session the table knows, routed or not (a copy). */
    public NamedSession[] named() {
        return routes.named();
    }

    /**
     * One configuration's routes: allowed sources, VNI → session view; with every view by id, every
     * named session and the counts of forgotten ones, so that one read gives consistent totals.
     * A reload, an expiry or a forgetting publishes a new instance; a session made for an unknown
     * VNI is added in place ({@link #route}, under the table's lock), so that making one costs the
     * same at 10 or 10,000 sessions: its map entry is published with a release store that
     * {@link #get} reads with an acquire load, and its named entry by a volatile count. Only when a
     * table is full does it grow into a new instance (doubling: amortised O(1)).
     */
    public static final class Routes {
        private static final java.lang.invoke.VarHandle SLOT =
                java.lang.invoke.MethodHandles.arrayElementVarHandle(Session[].class);

        final Session[] all;
        /** Routed views; read and changed only under the table's lock. */
        final List<Session> routed;
        private volatile int routedCount;
        final SourceAllowList allowSources;
        private final NamedSession[] named;
        private volatile int namedCount;
        final RetiredCounts retired;
        final int[] keys;
        final Session[] values;
        final int mask;
        /** Map entries in use (under the lock). */
        private int entries;

        private Routes(Session[] all, List<Session> routed, SourceAllowList allowSources, NamedSession[] named,
                       int namedCount, RetiredCounts retired, int capacity) {
            this.all = all;
            this.named = named;
            this.namedCount = namedCount;
            this.retired = retired;
            this.routed = new ArrayList<>(routed);
            this.routedCount = routed.size();
            this.allowSources = allowSources;
            this.keys = new int[capacity];
            this.values = new Session[capacity];
            this.mask = capacity - 1;
        }

        static Routes of(Session[] all, List<Session> routed, SourceAllowList allowSources, NamedSession[] named,
                         RetiredCounts retired) {
            return of(all, routed, allowSources, named, named.length, retired, routed.size());
        }

        private static Routes of(Session[] all, List<Session> routed, SourceAllowList allowSources,
                                 NamedSession[] named, int namedCount, RetiredCounts retired, int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected * 2 + 1)) << 1;
            Routes s = new Routes(all, routed, allowSources, named, namedCount, retired, capacity);
            for (Session session : routed) {
                s.insert(session);
            }
            return s;
        }

        private void insert(Session session) {
            int i = slot(session.vni(), mask);
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = session.vni();
            SLOT.setRelease(values, i, session); // the key before the value: get() sees both
            entries++;
        }

        /**
         * Routes {@code view} (its id assigned) and, when not null, knows {@code newNamed}: in place
         * when there is room, else in a grown copy. Returns the routes to publish. Under the lock.
         */
        Routes route(Session view, NamedSession newNamed) {
            Routes t = this;
            int id = view.id();
            boolean roomForId = id < all.length;
            boolean roomForName = newNamed == null || namedCount < named.length;
            boolean roomInMap = (entries + 1) * 2 <= values.length;
            if (!roomForId || !roomForName || !roomInMap) {
                Session[] grownAll = roomForId ? all : Arrays.copyOf(all, Math.max(id + 1, all.length * 2 + 16));
                NamedSession[] grownNamed = roomForName ? named : Arrays.copyOf(named, named.length * 2 + 16);
                t = of(grownAll, routed, allowSources, grownNamed, namedCount, retired, (entries + 1) * 2);
            }
            t.all[id] = view;
            if (newNamed != null) {
                t.named[t.namedCount] = newNamed;
                t.namedCount = t.namedCount + 1; // volatile: publishes the entry
            }
            t.routed.add(view);
            t.routedCount = t.routed.size();
            t.insert(view);
            return t;
        }

        /** Every view by id (null at forgotten ids, and past the last one). Do not modify. */
        public Session[] all() {
            return all;
        }

        /** Every named session known (a copy: the table appends in place). */
        public NamedSession[] named() {
            return Arrays.copyOf(named, namedCount);
        }

        /** Sessions packets are routed to. */
        int routedCount() {
            return routedCount;
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
            while ((s = (Session) SLOT.getAcquire(values, i)) != null) {
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
