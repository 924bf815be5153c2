package io.vxdump.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sessions made for unknown VNIs end when quiet, so junk cannot hold the slots; the table
 * remembers max-sessions of them, forgets older ones into retired counts, and reuses their ids:
 * memory stays bounded however many VNIs arrive.
 */
class SessionExpiryTest {
    private static final OutputSettings OUT = new OutputSettings(Path.of("unused"), Precision.MICRO,
            new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private static Session session(int vni) {
        return new Session(vni, "vni-" + vni, 0, SessionFilter.KEEP_ALL, new SessionOutput("vni-" + vni, 0, OUT), 1);
    }

    @Test
    void quietSessionsEndAndFreeTheirSlots() {
        SessionTable t = new SessionTable(List.of(session(1)), SessionExpiryTest::session, 3);
        SessionExpiry expiry = new SessionExpiry(t, 600);
        for (int vni = 100; vni < 103; vni++) {
            t.forUnknown(vni).lane(0).staged(false);
        }
        assertNull(t.forUnknown(200), "the limit is reached");
        long start = System.nanoTime();
        expiry.sweep(start);
        t.get(100).lane(0).staged(false); // vni-100 keeps talking
        expiry.sweep(start + 301 * S);
        expiry.sweep(start + 601 * S);
        assertNotNull(t.get(100), "a session with traffic stays");
        assertNull(t.get(101), "a quiet one ends");
        assertNull(t.get(102));
        assertEquals(2, t.expiredSessions());
        assertNotNull(t.forUnknown(200), "its slot is free for a new VNI");
        assertNotNull(t.get(1), "configured sessions never expire");
    }

    @Test
    void anExpiredSessionComesBackWithItsViewAndCounts() {
        SessionTable t = new SessionTable(List.of(), SessionExpiryTest::session, 4);
        Session first = t.forUnknown(7);
        first.lane(0).staged(false);
        SessionExpiry expiry = new SessionExpiry(t, 10);
        long start = System.nanoTime();
        expiry.sweep(start);
        expiry.sweep(start + 11 * S);
        assertNull(t.get(7));
        assertTrue(first.output().isRetired(), "its file is to be finished");
        Session again = t.forUnknown(7);
        assertSame(first, again, "the same view: the same id and counters");
        assertEquals(1, again.sum(SessionLane::staged));
        assertEquals(0, t.expiredSessions());
    }

    @Test
    void beyondMaxSessionsTheOldestExpiredAreForgottenAndTheirIdsReused() {
        int max = 4;
        SessionTable t = new SessionTable(List.of(), SessionExpiryTest::session, max);
        SessionExpiry expiry = new SessionExpiry(t, 10);
        long[] clock = {System.nanoTime()};
        t.clock = () -> clock[0];
        int vni = 1000;
        long staged = 0;
        int highestId = 0;
        for (int wave = 0; wave < 50; wave++) {
            for (int i = 0; i < max; i++) {
                Session s = t.forUnknown(vni++);
                assertNotNull(s, "wave " + wave + ": a slot for a new VNI");
                s.lane(0).staged(false);
                staged++;
                highestId = Math.max(highestId, s.id());
            }
            expiry.sweep(clock[0]);
            clock[0] += 11 * S;
            expiry.sweep(clock[0]); // the wave expires
            clock[0] += 6 * S;
            expiry.sweep(clock[0]); // older waves beyond max are forgotten
            clock[0] += 61 * S; // a forgotten id may be reused a minute later (their writer never had a record)
        }
        assertTrue(t.named().length <= 2 * max + 1, "remembered: " + t.named().length);
        assertTrue(highestId < 4 * max, "ids are reused: the highest was " + highestId);
        RetiredCounts r = t.routes().retired();
        long kept = 0;
        for (NamedSession n : t.named()) {
            kept += n.sum(SessionLane::staged);
        }
        assertEquals(staged, r.staged() + kept, "every count is kept: in a session or in the retired totals");
        assertTrue(r.sessions() >= 40 * max, "forgotten: " + r.sessions());
    }
}
