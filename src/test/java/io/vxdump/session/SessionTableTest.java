package io.vxdump.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
