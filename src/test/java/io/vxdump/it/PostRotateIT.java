package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A post-rotate command slower than rotation (sleep 5 at a 1 s rotation) never holds a file back:
 * each is renamed at once, the commands queue (counted), and a stop ends within its stop-timeout.
 */
class PostRotateIT {
    private static final Pattern STAMP = Pattern.compile("-(\\d{8}T\\d{6}Z)-\\d+\\.pcap\\.part$");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aSlowHookNeverHoldsAFileBackAndAStopKeepsItsTime() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--rotate-interval", "1s", "--post-rotate", "sleep 5; true", "--stop-timeout", "4s");
        int sent = 0;
        int worstLagMillis = 0;
        int maxBacklog = 0;
        try (d; DatagramSocket s = new DatagramSocket()) {
            long end = System.nanoTime() + 30_000_000_000L;
            long nextCheck = 0;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 20; i++) {
                    byte[] b = vxlan(9, Frames.sized(150, sent++));
                    s.send(new DatagramPacket(b, b.length, d.address()));
                }
                Thread.sleep(10); // ~2,000 packets a second
                if (System.nanoTime() > nextCheck) {
                    nextCheck = System.nanoTime() + 250_000_000L;
                    // A .part file's stamp is its first packet's second: one whose second ended more than a
                    // second ago should have been renamed.
                    long now = System.currentTimeMillis();
                    for (Path part : SignalsIT.filesEnding(out, ".part")) {
                        Matcher m = STAMP.matcher(part.getFileName().toString());
                        if (m.find()) {
                            long intervalEnd = Instant.from(FORMAT.parse(m.group(1))).toEpochMilli() + 1000;
                            worstLagMillis = (int) Math.max(worstLagMillis, now - intervalEnd);
                        }
                    }
                }
            }
            Map.Entry<Integer, String> metrics = d.http("/metrics", null);
            Matcher b = Pattern.compile("(?m)^vxdump_post_rotate_backlog (\\d+)").matcher(metrics.getValue());
            assertTrue(b.find(), metrics.getValue());
            maxBacklog = Integer.parseInt(b.group(1));
            Thread.sleep(1500);
            long stopStart = System.nanoTime();
            assertEquals(0, d.terminate(30));
            long stopMillis = (System.nanoTime() - stopStart) / 1_000_000;
            System.out.println("post-rotate sleep 5 at 1 s rotation: worst .part lag " + worstLagMillis + " ms, backlog "
                    + maxBacklog + ", stop took " + stopMillis + " ms");
            assertTrue(worstLagMillis <= 1000, "a finished file waited " + worstLagMillis + " ms for its rename");
            assertTrue(maxBacklog >= 10, "hooks queue up (backlog " + maxBacklog + ")");
            // The JVM's exit and the process's reaping come on top of the 4 s.
            assertTrue(stopMillis < 4000 + 1500, "stop took " + stopMillis + " ms with a 4 s stop-timeout");
            assertTrue(d.log().contains("post-rotate commands out of time"), d.log());
            assertEquals((long) sent, d.totals().get("written"), d.log());
        }
        assertEquals(List.of(), SignalsIT.filesEnding(out, ".part"));
        int records = 0;
        for (Path f : SignalsIT.filesEnding(out, ".pcap")) {
            records += Libpcap.read(f).size();
        }
        assertEquals(sent, records, "every packet is in a finished file");
    }
}
