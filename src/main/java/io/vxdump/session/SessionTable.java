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
 */
public final class SessionTable {
    private final IntFunction<Session> unknownVniSessions;
    private final int maxUnknownVniSessions;
    private final int writers;
    private volatile Routes routes;
    /** Every named session ever, routed or not: a name that comes back gets its files and counts back. */
    private final Map<String, NamedSession> byName = new LinkedHashMap<>();
    private volatile NamedSession[] named = new NamedSession[0];
    private final java.util.Set<NamedSession> madeForUnknown = new java.util.HashSet<>();
    private volatile boolean full;

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
        this.routes = Routes.of(all, Arrays.asList(all), allowSources);
    }

    private void place(Session view, int id) {
        NamedSession n = view.named();
        if (n.writer() < 0) {
            n.writer(id % writers);
        }
        view.assign(id, n.writer());
        n.add(view);
        n.routed(true);
        if (byName.putIfAbsent(n.name(), n) == null) {
            named = byName.values().toArray(new NamedSession[0]);
        }
    }

    /** The current routes: read once per packet. */
    public Routes routes() {
        return routes;
    }

    /** The session view with id {@code id}; ids are dense and never reused. */
    public Session byId(int id) {
        return routes.all[id];
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
                s = earlier.current().reconfigured(vni, s.snaplen(), s.filter()); // its files and counts again
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

    /** Appends new views and publishes the routes: after this, packets see only {@code routed}. */
    private void install(List<Session> newViews, List<Session> routed, SourceAllowList allow) {
        Session[] all = Arrays.copyOf(routes.all, routes.all.length + newViews.size());
        int id = routes.all.length;
        for (Session v : newViews) {
            place(v, id);
            all[id++] = v;
        }
        routes = Routes.of(all, routed, allow);
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

    /** Every session view, in the order made (ids). Do not modify the array. */
    public Session[] all() {
        return routes.all;
    }

    /** Every named session ever made, routed or not. Do not modify the array. */
    public NamedSession[] named() {
        return named;
    }

    /** One configuration's routes: allowed sources, VNI → session view. Immutable. */
    public static final class Routes {
        final Session[] all;
        final List<Session> routed;
        final SourceAllowList allowSources;
        final int[] keys;
        final Session[] values;
        final int mask;

        private Routes(Session[] all, List<Session> routed, SourceAllowList allowSources, int capacity) {
            this.all = all;
            this.routed = List.copyOf(routed);
            this.allowSources = allowSources;
            this.keys = new int[capacity];
            this.values = new Session[capacity];
            this.mask = capacity - 1;
        }

        static Routes of(Session[] all, List<Session> routed, SourceAllowList allowSources) {
            int capacity = Integer.highestOneBit(Math.max(4, routed.size() * 2 + 1)) << 1;
            Routes s = new Routes(all, routed, allowSources, capacity);
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
