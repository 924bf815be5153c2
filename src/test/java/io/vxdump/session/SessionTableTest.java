package io.vxdump.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionTableTest {
    private static final OutputSettings OUT = new OutputSettings(Path.of("unused"), Precision.MICRO,
            new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());

    private static Session session(int vni) {
        return new Session(vni, "vni-" + vni, 0, SessionFilter.KEEP_ALL, new SessionOutput("vni-" + vni, 0, OUT), 2);
    }

    @Test
    void findsEveryConfiguredSessionAmongManyIncludingCollidingSlots() {
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            sessions.add(session(i * 4096)); // VNIs that differ only in high bits
        }
        sessions.add(session(0xFFFFFF));
        SessionTable t = new SessionTable(sessions, null, 0);
        for (Session s : sessions) {
            assertSame(s, t.get(s.vni()));
        }
        assertNull(t.get(1));
        assertNull(t.forUnknown(1), "unknown VNIs dropped");
    }

    @Test
    void makesSessionsForUnknownVnisUpToTheLimit() {
        SessionTable t = new SessionTable(List.of(session(1)), SessionTableTest::session, 2);
        Session a = t.forUnknown(10);
        assertSame(a, t.get(10));
        assertSame(a, t.forUnknown(10), "made once");
        t.forUnknown(11);
        assertNull(t.forUnknown(12), "the third unknown VNI is over the limit");
        assertNull(t.get(12));
        assertEquals(3, t.all().length);
    }

    private static Session named(int vni, String name, SessionFilter filter) {
        return new Session(vni, name, 0, filter, new SessionOutput(name, 0, OUT), 2);
    }

    private static final SessionFilter NO_ARP = new SessionFilter(io.vxdump.filter.Monitored.OUTER_SOURCE,
            List.of(), io.vxdump.filter.Action.REJECT);

    @Test
    void aReloadKeepsSessionsByNameAndSwapsTheRoutesWhole() throws Exception {
        Session web = named(100, "web", SessionFilter.KEEP_ALL);
        Session db = named(200, "db", SessionFilter.KEEP_ALL);
        SessionTable t = new SessionTable(List.of(web, db), SessionTableTest::session, 10, 2, null);
        Session dynamic = t.forUnknown(7);
        SessionTable.Routes before = t.routes();

        io.vxdump.filter.SourceAllowList allow = new io.vxdump.filter.SourceAllowList(
                List.of(io.vxdump.filter.Cidr.parse("10.0.0.0/8")));
        SessionTable.Changes c = t.reconfigure(List.of(
                named(100, "web", SessionFilter.KEEP_ALL),   // unchanged
                named(300, "db", NO_ARP),                     // same name: new VNI and filter
                named(400, "dns", SessionFilter.KEEP_ALL)),   // new
                allow);

        assertSame(web, t.get(100), "an unchanged session keeps its view and counters");
        Session db2 = t.get(300);
        assertSame(db.named(), db2.named(), "same name: same files, writer and counts");
        assertSame(db.output(), db2.output());
        assertEquals(db.writer(), db2.writer());
        assertEquals(NO_ARP, db2.filter());
        assertNull(t.get(200), "db's old VNI goes nowhere now");
        assertSame(dynamic, t.get(7), "sessions made for unknown VNIs stay");
        assertEquals(List.of("dns"), c.added().stream().map(NamedSession::name).toList());
        assertEquals(List.of("db"), c.reconfigured().stream().map(NamedSession::name).toList());
        assertEquals(List.of(), c.removed());
        assertEquals(4, t.routedSessions());

        // The old routes are untouched: a packet that read them is decided wholly by them.
        assertSame(db, before.get(200));
        assertTrue(before.allows(java.net.InetAddress.getByName("192.0.2.1")));
        assertFalse(t.routes().allows(java.net.InetAddress.getByName("192.0.2.1")));
        assertTrue(t.routes().allows(java.net.InetAddress.getByName("10.1.1.1")));

        // db removed, and VNI 7 now configured under a name: the dynamic vni-7 stops being routed.
        c = t.reconfigure(List.of(named(100, "web", SessionFilter.KEEP_ALL), named(7, "seven", SessionFilter.KEEP_ALL)), null);
        assertEquals(java.util.Set.of("db", "dns", "vni-7"),
                c.removed().stream().map(NamedSession::name).collect(java.util.stream.Collectors.toSet()));
        assertFalse(db.named().routed());
        assertEquals("seven", t.get(7).name());
        assertNull(t.get(300));

        // db comes back: its files and counts with it.
        c = t.reconfigure(List.of(named(100, "web", SessionFilter.KEEP_ALL), named(200, "db", SessionFilter.KEEP_ALL)), null);
        assertSame(db.named(), t.get(200).named());
        assertTrue(db.named().routed());
        assertTrue(c.added().contains(db.named()));
        assertEquals(3, db.named().views().size(), "one view per configuration it had");

        // A VNI made for an unknown VNI again gets its old name's files back.
        assertSame(dynamic.named(), t.forUnknown(7).named());
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (Session s : t.all()) {
            assertTrue(ids.add(s.id()), "ids are never reused");
            assertSame(s, t.byId(s.id()));
        }
    }

    @Test
    void sessionsMadeInPlaceAreSeenByOtherThreadsExactlyOnce() throws Exception {
        // Two receive threads make sessions for the same burst of new VNIs while a third looks them
        // up: each VNI gets one session (both threads see the same one), every lookup after a
        // session is made finds it, ids are dense, and the named list and counts keep up.
        int vnis = 20_000;
        SessionTable t = new SessionTable(List.of(session(1)), SessionTableTest::session, vnis);
        Session[][] seen = new Session[2][vnis];
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int lane = k;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    for (int v = 0; v < vnis; v++) {
                        int vni = 1000 + (lane == 0 ? v : vnis - 1 - v);
                        Session s = t.routes().get(vni);
                        seen[lane][vni - 1000] = s != null ? s : t.forUnknown(vni);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
        }
        threads.add(new Thread(() -> {
            try {
                go.await();
                for (int round = 0; round < 50; round++) {
                    SessionTable.Routes r = t.routes();
                    for (int v = 0; v < vnis; v++) {
                        Session s = r.get(1000 + v);
                        if (s != null && s.vni() != 1000 + v) {
                            throw new AssertionError("VNI " + (1000 + v) + " found session of VNI " + s.vni());
                        }
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }));
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (int v = 0; v < vnis; v++) {
            assertSame(seen[0][v], seen[1][v], "one session for VNI " + (1000 + v));
            assertSame(seen[0][v], t.get(1000 + v));
            assertTrue(ids.add(seen[0][v].id()), "ids are unique");
            assertSame(seen[0][v], t.byId(seen[0][v].id()));
        }
        assertEquals(vnis + 1, t.routedSessions());
        assertEquals(vnis + 1, t.named().length);
        assertEquals(java.util.stream.IntStream.rangeClosed(0, vnis).boxed().collect(java.util.stream.Collectors.toSet()),
                new java.util.HashSet<>(java.util.stream.Stream.concat(ids.stream(), java.util.stream.Stream.of(t.get(1).id())).toList()),
                "dense ids 0..N");
    }
}
