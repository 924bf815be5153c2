package io.vxdump.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line when a session sees its first packet ("is the mirror session reaching us?" is the
 * first question at set-up), at most {@link #LINES_PER_MINUTE} a minute: a burst of junk VNIs
 * makes one summary line, not thousands. Runs every second on the sessions' thread and reads
 * counters only; the packet path knows nothing of it.
 */
public final class SessionAnnouncer implements Runnable {
    static final int LINES_PER_MINUTE = 10;
    private static final Logger LOG = LoggerFactory.getLogger(SessionAnnouncer.class);
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final SessionTable table;
    private final Set<NamedSession> announced = Collections.newSetFromMap(new IdentityHashMap<>());
    private long windowStart = Long.MIN_VALUE;
    private int linesInWindow;
    private int notListed;

    public SessionAnnouncer(SessionTable table) {
        this.table = table;
    }

    @Override
    public void run() {
        try {
            look(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.error("session announcement failed", e); // a bug: keep the schedule going
        }
    }

    void look(long now) {
        if (windowStart == Long.MIN_VALUE || now - windowStart >= MINUTE) {
            if (notListed > 0) {
                LOG.info("{} more session(s) saw their first packets in the last minute (not listed one by one; "
                        + "vxdump_sessions counts them)", notListed);
            }
            windowStart = now;
            linesInWindow = 0;
            notListed = 0;
        }
        NamedSession[] all = table.named();
        Set<NamedSession> present = Collections.newSetFromMap(new IdentityHashMap<>());
        List<NamedSession> fresh = new ArrayList<>();
        for (NamedSession n : all) {
            present.add(n);
            if (!announced.contains(n) && n.sum(l -> l.staged() + l.filtered() + l.backlogDrops()) > 0) {
                fresh.add(n);
            }
        }
        announced.retainAll(present); // forgotten sessions
        if (fresh.isEmpty()) {
            return;
        }
        Set<NamedSession> unknown = Collections.newSetFromMap(new IdentityHashMap<>());
        unknown.addAll(table.madeForUnknownRouted());
        for (NamedSession n : fresh) {
            announced.add(n);
            if (linesInWindow < LINES_PER_MINUTE) {
                linesInWindow++;
                Session s = n.current();
                LOG.info("session {} (VNI {}): first packet{}", n.name(), s.vni(),
                        unknown.contains(n) ? ", a VNI no configured session names" : "");
            } else {
                notListed++;
            }
        }
    }
}
