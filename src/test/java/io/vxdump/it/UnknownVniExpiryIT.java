package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Junk VNIs cannot starve real ones: sessions made for unknown VNIs end when quiet (expiry shortened
 * to 2 s here), a real new VNI is captured afterwards, and the counts of forgotten sessions stay in
 * the totals.
 */
class UnknownVniExpiryIT {
    @TempDir
    Path dir;

    private static double metric(DaemonProcess d, String name) throws Exception {
        return MetricsIT.samples(d.http("/metrics", null).getValue()).getOrDefault(name, 0.0);
    }

    @Test
    void aRealVniIsCapturedOnceJunkVnisExpire() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--unknown-vni-expire", "2s");
        try (d) {
            List<byte[]> junk = new ArrayList<>();
            for (int i = 0; i < 1030; i++) {
                junk.add(vxlan(10_000 + i, Frames.sized(80, i)));
            }
            d.sendFromPorts(junk, 1, 100);
            d.send(List.of(vxlan(99, Frames.sized(90, 0))));
            SignalsIT.waitFor(() -> metric(d, "vxdump_datagrams_received_total") == 1031, "all read");
            assertEquals(7.0, metric(d, "vxdump_datagrams_dropped_total{reason=\"session_limit\",session=\"\"}"),
                    "1,024 sessions made; six junk VNIs and the real one dropped for the limit");
            SignalsIT.waitFor(() -> metric(d, "vxdump_sessions") == 0, "the junk sessions expire");
            assertEquals(1024.0, metric(d, "vxdump_sessions_expired"));
            List<byte[]> real = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                real.add(vxlan(99, Frames.sized(90, i)));
            }
            d.send(real);
            SignalsIT.waitFor(() -> metric(d, "vxdump_packets_written_total{session=\"vni-99\"}") == 10, "vni-99 captured");
            assertTrue(d.log().contains("session(s) made for unknown VNIs ended after 2 s without a packet"), d.log());
            assertEquals(0, d.terminate(20));
            Map<String, Long> t = d.totals();
            assertEquals(1041L, t.get("received"));
            assertEquals(1041L - 7, t.get("written"), t.toString());
        }
        assertEquals(10, io.vxdump.testing.Libpcap.read(SignalsIT.filesEnding(out.resolve("vni-99"), ".pcap").get(0)).size());
    }

    @Test
    void forgottenSessionsKeepTheirCountsInTheTotals() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--unknown-vni-expire", "1s", "--max-sessions", "5");
        try (d) {
            int sent = 0;
            for (int wave = 0; wave < 5; wave++) {
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    for (int k = 0; k < 3; k++) {
                        burst.add(vxlan(500 + wave * 5 + i, Frames.sized(100, sent++)));
                    }
                }
                d.send(burst);
                int expected = sent;
                SignalsIT.waitFor(() -> metric(d, "vxdump_datagrams_received_total") == expected, "wave read");
                SignalsIT.waitFor(() -> metric(d, "vxdump_sessions") == 0, "the wave expires");
            }
            // Forgetting waits five seconds after expiry; then only max-sessions expired ones are remembered.
            SignalsIT.waitFor(() -> metric(d, "vxdump_sessions_expired") <= 5, "the oldest expired are forgotten");
            Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
            double written = 0;
            int series = 0;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (e.getKey().startsWith("vxdump_packets_written_total{")) {
                    written += e.getValue();
                    series++;
                }
            }
            assertTrue(m.containsKey("vxdump_packets_written_total{session=\"(expired)\"}"), m.keySet().toString());
            assertTrue(series <= 5 + 1, "per-session series of forgotten sessions are gone: " + series);
            assertEquals(sent, written, "written across sessions, (expired) included, adds up");
            assertEquals(0, d.terminate(20));
            assertEquals((long) sent, d.totals().get("written"), d.totals().toString());
        }
    }
}
