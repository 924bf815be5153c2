package io.vxdump.live;

import io.netty.buffer.ByteBuf;
import io.vxdump.pcap.RecordTap;
import io.vxdump.pcap.SessionOutput;

/**
 * Where the writers hand records to watchers. The writer asks {@link #mask} only when the set of
 * watchers changed since it last asked for that session ({@link #generation}), so with no watcher
 * the cost per record is a plain read and one predictable branch. At most 64 watchers (a bit each).
 */
public final class LiveTap implements RecordTap {
    /** Watchers at once, the limit of a session's bit mask. */
    public static final int MAX_WATCHERS = 64;

    private final Watcher[] slots = new Watcher[MAX_WATCHERS];
    private volatile int generation;
    /** Session names by the number records carry to watchers (so a terminal line can say whose). */
    private final java.util.Map<String, Integer> ids = new java.util.HashMap<>();
    private volatile String[] names = new String[0];

    /** The number {@code session}'s records carry to watchers; the same for a name ever after. */
    @Override
    public synchronized int id(String session) {
        Integer id = ids.get(session);
        if (id == null) {
            id = names.length;
            ids.put(session, id);
            String[] n = java.util.Arrays.copyOf(names, id + 1);
            n[id] = session;
            names = n;
        }
        return id;
    }

    /** The session a watcher's record came from, by its number; any thread. */
    public String name(int id) {
        String[] n = names;
        return id >= 0 && id < n.length ? n[id] : "?";
    }

    /** Changes whenever a watcher comes or goes: a session's cached mask is stale then. */
    @Override
    public int generation() {
        return generation;
    }

    /** The watchers (a bit per slot) that want records of {@code session}. */
    @Override
    public synchronized long mask(String session) {
        long m = 0;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null && slots[i].wants(session)) {
                m |= 1L << i;
            }
        }
        return m;
    }

    /** Writer thread {@code writer}: offers a record to the watchers in {@code mask}. */
    @Override
    public void offer(long mask, int writer, SessionOutput output, long timestampNanos, ByteBuf frame, int index,
                      int caplen, int origlen) {
        long m = mask;
        while (m != 0) {
            int slot = Long.numberOfTrailingZeros(m);
            m &= m - 1;
            Watcher w = slots[slot];
            if (w != null && !w.offer(writer, output.liveId(), timestampNanos, frame, index, caplen, origlen)) {
                output.liveDropped();
            }
        }
    }

    /** Adds a watcher; false when {@code limit} watchers are there already. */
    synchronized boolean add(Watcher w, int limit) {
        int used = 0;
        int free = -1;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                used++;
            } else if (free < 0) {
                free = i;
            }
        }
        if (used >= Math.min(limit, MAX_WATCHERS) || free < 0) {
            return false;
        }
        slots[free] = w;
        generation++;
        return true;
    }

    synchronized void remove(Watcher w) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == w) {
                slots[i] = null;
                generation++;
            }
        }
    }

    /** Watchers now. */
    public synchronized int watchers() {
        int n = 0;
        for (Watcher w : slots) {
            n += w == null ? 0 : 1;
        }
        return n;
    }
}
