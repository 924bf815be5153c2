package io.vxdump.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacingAndProgressTest {
    @Test
    void eachPacingSaysWhenAPacketIsDue() {
        assertEquals(500_000_000L, new Pacing.CaptureTiming(2).due(7, 0, 1_000_000_000L));
        assertEquals(250_000_000L, new Pacing.PacketRate(4).due(1, 0, 99));
        assertEquals(1_000_000_000L, new Pacing.BitRate(8).due(3, 8_000_000, 0), "8 Mbit at 8 Mbps: one second");
        assertEquals(0, new Pacing.TopSpeed().due(1_000_000, 1L << 40, 1L << 40));
    }

    @Test
    void theProgressBarDrawsPacketsRateAndEta() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(out, true, StandardCharsets.UTF_8));
        p.start(200);
        p.update(50);
        p.finish();
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\r[=======                       ] 50/200 packets"), text);
        assertTrue(text.contains("] 200/200 packets") && text.contains("ETA"), text);
        assertTrue(text.endsWith(System.lineSeparator()));
    }

    @Test
    void theSummaryNamesEverySkipReason() {
        EnumMap<Encapsulator.Skip, Long> skipped = new EnumMap<>(Encapsulator.Skip.class);
        skipped.put(Encapsulator.Skip.TOO_LARGE, 2L);
        skipped.put(Encapsulator.Skip.LINK_TYPE, 1L);
        String s = new ReplayResult(1000, 125_000, 2_000_000_000L, skipped, List.of(), 0, null).summary();
        assertEquals("sent 1000 packets (125000 bytes) in 2.000 s: 500 pps, 0.50 Mbps; skipped 3 "
                + "(2 too large for one UDP datagram, 1 of a link type that is neither Ethernet nor raw IP)", s);
    }
}
