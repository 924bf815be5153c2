package io.vxdump.session;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends sessions made for unknown VNIs that saw no packet for {@code unknown-vni-expire}, so that
 * junk VNIs (anyone who reaches an open listener can send them) cannot hold the
 * {@code max-sessions} slots for good and starve a real new session. Run periodically on a thread
 * of its own: it reads the sessions' counters, never the packet path's state.
 */
public final class SessionExpiry implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionExpiry.class);

    private final SessionTable table;
    private final long expireNanos;
    /** Per routed session made for an unknown VNI: packets seen at the last look, and when that changed. */
    private final Map<NamedSession, long[]> seen = new IdentityHashMap<>();

    public SessionExpiry(SessionTable table, long expireSeconds) {
        this.table = table;
        this.expireNanos = TimeUnit.SECONDS.toNanos(expireSeconds);
    }

    /** How often to look: a quarter of the quiet period, between 250 ms and 10 s. */
    public static long periodMillis(long expireSeconds) {
        return Math.max(250, Math.min(10_000, expireSeconds * 1000 / 4));
    }

    @Override
    public void run() {
        try {
            sweep(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.error("session expiry failed", e); // a bug: keep the schedule going
        }
    }

    void sweep(long now) {
        List<NamedSession> quiet = new ArrayList<>();
        Map<NamedSession, Boolean> live = new IdentityHashMap<>();
        for (NamedSession n : table.madeForUnknownRouted()) {
            live.put(n, Boolean.TRUE);
            long count = n.sum(l -> l.staged() + l.filtered() + l.backlogDrops());
            long[] s = seen.get(n);
            if (s == null || s[0] != count) {
                seen.put(n, new long[] {count, now});
            } else if (now - s[1] >= expireNanos) {
                quiet.add(n);
            }
        }
        seen.keySet().retainAll(live.keySet());
        List<NamedSession> gone = table.expire(quiet, now);
        for (NamedSession n : gone) {
            seen.remove(n);
        }
        if (!gone.isEmpty()) {
            LOG.info("{} session(s) made for unknown VNIs ended after {} s without a packet ({}{}); their files are "
                            + "finished, and a packet of their VNI makes them again", gone.size(),
                    TimeUnit.NANOSECONDS.toSeconds(expireNanos),
                    String.join(", ", gone.stream().limit(5).map(NamedSession::name).toList()),
                    gone.size() > 5 ? ", ..." : "");
        }
        int forgotten = table.forgetExpired(now);
        if (forgotten > 0) {
            LOG.info("forgot {} long-expired session(s) made for unknown VNIs (more than max-sessions remembered); "
                    + "their counts stay in the totals (session=\"(expired)\")", forgotten);
        }
    }
}
