package io.vxdump.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A session's first packet is said once at INFO; a burst of new VNIs is one summary line, not thousands. */
class SessionAnnouncerTest {
    private static final OutputSettings OUT = new OutputSettings(Path.of("unused"), Precision.MICRO,
            new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(SessionAnnouncer.class);

    private static Session session(int vni, String name) {
        return new Session(vni, name, 0, SessionFilter.KEEP_ALL, new SessionOutput(name, 0, OUT), 1);
    }

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(lines);
    }

    private List<String> said() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aSessionIsAnnouncedOnceAtItsFirstPacket() {
        SessionTable t = new SessionTable(List.of(session(100, "web")), vni -> session(vni, "vni-" + vni), 10);
        SessionAnnouncer a = new SessionAnnouncer(t);
        long now = System.nanoTime();
        a.look(now);
        assertEquals(List.of(), said(), "no packet, no line");
        t.get(100).lane(0).staged(false);
        t.forUnknown(7).lane(0).filteredOut();
        a.look(now + 1);
        t.get(100).lane(0).staged(false);
        a.look(now + 2);
        assertEquals(List.of("session web (VNI 100): first packet",
                "session vni-7 (VNI 7): first packet, a VNI no configured session names"), said().stream().sorted(
                        (x, y) -> x.startsWith("session web") ? -1 : 1).toList());
    }

    @Test
    void aBurstOfNewSessionsIsSummarised() {
        SessionTable t = new SessionTable(List.of(), vni -> session(vni, "vni-" + vni), 5000);
        SessionAnnouncer a = new SessionAnnouncer(t);
        for (int vni = 1; vni <= 3000; vni++) {
            t.forUnknown(vni).lane(0).staged(false);
        }
        long now = System.nanoTime();
        a.look(now);
        assertEquals(SessionAnnouncer.LINES_PER_MINUTE, said().size());
        a.look(now + TimeUnit.SECONDS.toNanos(61));
        assertEquals(SessionAnnouncer.LINES_PER_MINUTE + 1, said().size());
        assertEquals("2990 more session(s) saw their first packets in the last minute (not listed one by one; "
                + "vxdump_sessions counts them)", said().get(said().size() - 1));
    }
}
